// Verifies a recovered instance: the log proves where recovery stopped, the server is promoted, the protected
// tables match their pre-incident fingerprints, the last pre-incident marker is there, the drill's SQL
// checks pass. Also measures the RPO from the markers that survived.
import type { Drill } from '../drill/drill.js';
import type { IncidentRecord } from '../incidents/incident.js';
import type { PostgresInstance } from '../providers/provider.js';
import { confirmTarget, describeTarget, type RecoveryTarget, type TargetConfirmation } from '../recovery/recovery-target.js';
import type { CheckResult } from '../verify/check.js';
import { sqlCheck } from '../verify/sql-check.js';
import { fingerprintCheck } from '../verify/table-fingerprint.js';
import { HEARTBEAT_TABLE, type Marker } from './heartbeat.js';
import { measureRpo, type RpoMeasurement } from './measure.js';
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
}): Promise<VerifyOutcome> {
  const { drill, restored, target, truth, incident, ledger } = input;
  const checks: CheckResult[] = [];

  // Read before any other transaction (autovacuum, extensions) moves it (PITR-FACTS #6).
  const [state] = await restored.query<{ in_recovery: boolean; xid: string | null; ts: string | null }>(
    `select pg_is_in_recovery() as in_recovery, l.xid::text as xid,
            to_char(l.timestamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ts
       from pg_last_committed_xact() l`,
  );
  const confirmation = confirmTarget(target, restored.readLog());
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

  for (const fp of truth.fingerprints) checks.push(await fingerprintCheck(restored, fp));

  let recoveredIds: number[] = [];
  try {
    recoveredIds = (await restored.query<{ id: string }>(`select id::text from ${HEARTBEAT_TABLE}`)).map((r) => Number(r.id));
  } catch {
    // The heartbeat table itself is missing: every marker was lost.
  }
  const rpo = measureRpo(ledger, incident.commitMicros, recoveredIds);
  const last = rpo.lastPreIncidentMarker;
  const lastPresent = last !== undefined && recoveredIds.includes(last.id);
  checks.push({
    name: 'last pre-incident marker present',
    status: lastPresent ? 'passed' : 'failed',
    detail: last
      ? lastPresent
        ? `marker ${last.id} (committed ${last.commitTime}) is present`
        : `marker ${last.id} (committed ${last.commitTime}) is missing; ${rpo.lostMarkers} pre-incident marker(s) lost`
      : 'no marker was committed before the incident',
  });

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
