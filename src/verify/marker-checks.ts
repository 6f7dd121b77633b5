// The markers after recovery (the heartbeat's, or a live source's): a prefix of history, the last pre-incident one present, and for time
// targets exactly the markers committed before the target.
import type { CheckResult } from '../model/check-result.js';
import type { VerifyContext } from './check.js';
import { timeMicros } from '../pg/timestamps.js';

/**
 * What the heartbeat markers must show after recovery. Always: the recovered markers are a prefix of the
 * commit order (PITR replays history up to a point; a hole means lost or reordered WAL). Before-incident: the
 * last marker committed before the incident is there. Time targets: exactly the markers committed before the
 * target time (at it too, when inclusive) are there.
 */
export async function markerChecks({ drill, target, ledger, recoveredMarkerIds: recoveredIds, rpo }: VerifyContext): Promise<CheckResult[]> {
  if (ledger.length === 0 || !rpo) return [];
  const checks: CheckResult[] = [];
  const present = new Set(recoveredIds);
  const byTime = [...ledger].sort((a, b) => a.commitMicros - b.commitMicros);
  const firstMissing = byTime.findIndex((m) => !present.has(m.id));
  const hole = firstMissing >= 0 ? byTime.slice(firstMissing).find((m) => present.has(m.id)) : undefined;
  checks.push({
    name: 'recovered markers are a prefix of history',
    status: hole ? 'failed' : 'passed',
    detail: hole
      ? `marker ${byTime[firstMissing]?.id} is missing but the later marker ${hole.id} is present: the recovered history has a hole`
      : `${byTime.filter((m) => present.has(m.id)).length} of ${byTime.length} markers recovered, in commit order, without holes`,
  });
  if (drill.recovery.target === 'before-incident' && (target.kind === 'xid' || target.kind === 'lsn' || target.kind === 'time')) {
    const last = rpo.lastPreIncidentMarker;
    const lastPresent = last !== undefined && present.has(last.id);
    checks.push({
      name: 'last pre-incident marker present',
      status: lastPresent ? 'passed' : 'failed',
      detail: last
        ? lastPresent
          ? `marker ${last.id} (committed ${last.commitTime}) is present`
          : `marker ${last.id} (committed ${last.commitTime}) is missing; ${rpo.lostMarkers} pre-incident marker(s) lost`
        : 'no marker was committed before the incident',
    });
  }
  if (target.kind === 'time') {
    const micros = timeMicros(target.time);
    if (micros !== undefined) {
      const expected = byTime.filter((m) => (target.inclusive ? m.commitMicros <= micros : m.commitMicros < micros)).map((m) => m.id);
      const wrong = byTime.filter((m) => expected.includes(m.id) !== present.has(m.id));
      checks.push({
        name: 'markers match the time target',
        status: wrong.length === 0 ? 'passed' : 'failed',
        detail:
          wrong.length === 0
            ? `exactly the ${expected.length} marker(s) committed ${target.inclusive ? 'at or ' : ''}before ${target.time} are present`
            : `${wrong.length} marker(s) on the wrong side of ${target.time}: ${wrong.slice(0, 5).map((m) => `#${m.id} (${m.commitTime}) ${present.has(m.id) ? 'present' : 'missing'}`).join(', ')}`,
      });
    }
  }
  return checks;
}

