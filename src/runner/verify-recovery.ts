// Verifies a recovered instance: the log proves where recovery stopped, the server is promoted, the protected
// tables match their pre-incident fingerprints, the last pre-incident marker is there, the drill's SQL
// checks pass. Also measures the RPO from the markers that survived.
import type { Drill } from '../drill/drill.js';
import type { IncidentRecord } from '../incidents/incident.js';
import type { PostgresInstance } from '../providers/provider.js';
import { confirmTarget, describeTarget, type ArchiveEnd, type RecoveryTarget, type TargetConfirmation } from '../recovery/recovery-target.js';
import type { CheckResult } from '../verify/check.js';
import { sqlCheck } from '../verify/sql-check.js';
import { fingerprintCheck } from '../verify/table-fingerprint.js';
import { HEARTBEAT_TABLE, type Marker } from './heartbeat.js';
import { measureRpo, type RpoMeasurement } from './measure.js';
import { parseLsn } from '../recovery/lsn.js';
import type { PreIncidentTruth } from './truth.js';

export interface VerifyOutcome {
  checks: CheckResult[];
  confirmation: TargetConfirmation;
  rpo: RpoMeasurement;
  lastReplayedCommit?: { xid: string; time: string };
}

export async function verifyRecovery(input: {
  drill: Drill;
  restored: PostgresInstance;
  target: RecoveryTarget;
  truth: PreIncidentTruth;
  incident: IncidentRecord;
  ledger: Marker[];
  /** When the base backup finished (database clock): the recoverable point when no transaction was replayed. */
  backupEndTime?: string | undefined;
  /** A logical restore (pg_dump): there is no recovery to confirm, and the data ends at the dump. */
  logical?: boolean;
  /** For latest: where the archive ends; replay must read it to its end. */
  archiveEnd?: ArchiveEnd | undefined;
}): Promise<VerifyOutcome> {
  const { drill, restored, target, truth, incident, ledger } = input;
  const checks: CheckResult[] = [];

  // Read before any other transaction (autovacuum, extensions) moves it (PITR-FACTS #6).
  const [state] = await restored.query<{ in_recovery: boolean; xid: string | null; ts: string | null }>(
    `select pg_is_in_recovery() as in_recovery, l.xid::text as xid,
            to_char(l.timestamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ts
       from pg_last_committed_xact() l`,
  );
  const confirmation: TargetConfirmation = input.logical
    ? { reached: true, evidence: ['pg_restore loaded every dump without error: the state of the databases when they were dumped'] }
    : confirmTarget(target, restored.readLog(), input.archiveEnd);
  checks.push({
    name: 'recovery target reached',
    status: confirmation.reached ? 'passed' : 'failed',
    detail: confirmation.reached
      ? `recovered to ${describeTarget(target)}; server log: ${confirmation.evidence[0] ?? ''}`
      : `recovery did not stop at ${describeTarget(target)}: ${confirmation.evidence.at(-1) ?? ''}`,
  });
  checks.push({
    name: 'instance promoted',
    status: state && !state.in_recovery ? 'passed' : 'failed',
    detail: state && !state.in_recovery ? `pg_is_in_recovery() = false, timeline ${confirmation.timeline ?? '?'}` : 'the instance is still in recovery',
  });

  const [archiving] = await restored.query<{ mode: string }>(`select current_setting('archive_mode') as mode`);
  checks.push({
    name: 'restored instance does not archive',
    status: archiving?.mode === 'off' ? 'passed' : 'failed',
    detail:
      archiving?.mode === 'off'
        ? 'archive_mode = off: the restored instance cannot write into the source archive or repository'
        : `archive_mode = ${archiving?.mode}: the restored instance could push its new timeline into the source archive`,
  });
  for (const fp of truth.fingerprints) checks.push(await fingerprintCheck(restored, fp));

  let recoveredIds: number[] = [];
  try {
    recoveredIds = (await restored.query<{ id: string }>(`select id::text from ${HEARTBEAT_TABLE}`)).map((r) => Number(r.id));
  } catch {
    // The heartbeat table itself is missing: every marker was lost.
  }
  const backupEnd = input.backupEndTime ? timeMicros(input.backupEndTime) : undefined;
  const recoveredUntil = input.logical ? backupEnd : state?.ts ? timeMicros(state.ts) : backupEnd;
  const rpo = measureRpo(ledger, incident.commitMicros, recoveredIds, recoveredUntil, walOrder(incident));
  checks.push(...markerChecks(drill, target, ledger, recoveredIds, rpo));

  for (const [i, c] of drill.verify.entries()) {
    if ('sql' in c) checks.push(await sqlCheck(restored, c, truth.compareValues.get(i)));
  }
  return {
    checks,
    confirmation,
    rpo,
    ...(state?.xid && state.ts ? { lastReplayedCommit: { xid: state.xid, time: state.ts } } : {}),
  };
}

/**
 * What the heartbeat markers must show after recovery. Always: the recovered markers are a prefix of the
 * commit order (PITR replays history up to a point; a hole means lost or reordered WAL). Before-incident: the
 * last marker committed before the incident is there. Time targets: exactly the markers committed before the
 * target time (at it too, when inclusive) are there.
 */
function markerChecks(drill: Drill, target: RecoveryTarget, ledger: Marker[], recoveredIds: number[], rpo: RpoMeasurement): CheckResult[] {
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

/**
 * After a primary loss, every marker the primary acknowledged committed before the loss. For incidents that
 * recorded the commit LSN of the transactions committed while they ran (drop-database): a
 * marker among them is before the damage when its commit record precedes it in the WAL.
 */
function walOrder(incident: IncidentRecord): ((m: Marker) => boolean | undefined) | undefined {
  if (incident.destroysPrimary) return () => true;
  const lsns = incident.commitLsns;
  const damage = incident.damageLsn;
  if (!lsns || !damage) return undefined;
  return (m) => {
    const lsn = m.xid ? lsns[m.xid] : undefined;
    return lsn === undefined ? undefined : parseLsn(lsn) < parseLsn(damage);
  };
}

/** Microseconds since the epoch of "2026-11-23 19:44:40.326241+00" (JavaScript dates stop at milliseconds). */
export function timeMicros(time: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(time.trim());
  if (!m) {
    const ms = Date.parse(time);
    return Number.isNaN(ms) ? undefined : ms * 1000;
  }
  const zone = m[4] === 'Z' ? 'Z' : `${m[4]?.slice(0, 3)}:${m[4]?.slice(3).replace(':', '') || '00'}`;
  const seconds = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return seconds * 1000 + Number((m[3] ?? '').padEnd(6, '0'));
}
