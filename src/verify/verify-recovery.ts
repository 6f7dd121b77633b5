// Verifies a recovered instance. What it observed is read once (promotion state and the newest replayed commit
// first, before anything else moves them, PITR-FACTS #6; the server log; the markers present), the RPO is
// measured from it, then every check of RECOVERY_CHECKS runs on the same observations.
import type { Drill } from '../drill/drill.js';
import type { IncidentRecord } from '../incidents/incident.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import { HEARTBEAT_TABLE, type Marker } from '../model/marker.js';
import type { CheckResult } from '../model/check-result.js';
import type { RecoveryCheck } from './check.js';
import { confirmTarget, type ArchiveEnd, type TargetConfirmation } from './confirm-target.js';
import { markerChecks } from './marker-checks.js';
import { markerOrder, measureRpo, type RpoMeasurement } from './measure-rpo.js';
import { noArchivingCheck } from './no-archiving-check.js';
import { promotedCheck } from './promoted-check.js';
import { sqlChecks } from './sql-check.js';
import { tablesCheck } from './table-fingerprint.js';
import { targetReachedCheck } from './target-reached-check.js';
import { isoUtc, timeMicros } from '../pg/timestamps.js';
import type { PreIncidentTruth } from './truth.js';

/** Every check of a recovered instance, in the order reports show them. Adding one: a file and a line here. */
export const RECOVERY_CHECKS: readonly RecoveryCheck[] = [targetReachedCheck, promotedCheck, noArchivingCheck, tablesCheck, markerChecks, sqlChecks];

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
  const { restored, target, incident, ledger } = input;
  const [state] = await restored.query<{ in_recovery: boolean; xid: string | null; ts: string | null }>(
    `select pg_is_in_recovery() as in_recovery, l.xid::text as xid,
            ${isoUtc('l.timestamp')} as ts
       from pg_last_committed_xact() l`,
  );
  const confirmation: TargetConfirmation = input.logical
    ? { reached: true, evidence: ['pg_restore loaded every dump without error: the state of the databases when they were dumped'] }
    : confirmTarget(target, restored.readLog(), input.archiveEnd);
  const recoveredMarkerIds = await markersPresent(restored);
  const backupEnd = input.backupEndTime ? timeMicros(input.backupEndTime) : undefined;
  const recoveredUntil = input.logical ? backupEnd : state?.ts ? timeMicros(state.ts) : backupEnd;
  const rpo = measureRpo(ledger, incident.commitMicros, recoveredMarkerIds, recoveredUntil, markerOrder(incident));

  const context = { ...input, inRecovery: state?.in_recovery, confirmation, recoveredMarkerIds, rpo };
  const checks: CheckResult[] = [];
  for (const check of RECOVERY_CHECKS) checks.push(...(await check(context)));
  return {
    checks,
    confirmation,
    rpo,
    ...(state?.xid && state.ts ? { lastReplayedCommit: { xid: state.xid, time: state.ts } } : {}),
  };
}

async function markersPresent(restored: PostgresInstance): Promise<number[]> {
  try {
    return (await restored.query<{ id: string }>(`select id::text from ${HEARTBEAT_TABLE}`)).map((r) => Number(r.id));
  } catch {
    return []; // the heartbeat table itself is missing: every marker was lost
  }
}
