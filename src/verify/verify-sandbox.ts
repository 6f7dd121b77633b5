// Verifies a sandbox restored from a backup the user already has: the log proves where recovery stopped, the
// instance is promoted and does not archive, the named tables read end to end, the drill's SQL checks pass.
// The RPO it can know without a live source is freshness: how old the newest replayed transaction was when the
// drill started, i.e. what a loss at that moment would have cost, as far as the archive shows.
import type { SourceDrill } from '../drill/drill.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import type { CheckResult } from '../model/check-result.js';
import type { RecoveryCheck } from './check.js';
import { confirmTarget, type ArchiveEnd, type TargetConfirmation } from './confirm-target.js';
import { noArchivingCheck } from './no-archiving-check.js';
import { promotedCheck } from './promoted-check.js';
import { sqlChecks } from './sql-check.js';
import { tablesReadableCheck } from './table-readable-check.js';
import { targetReachedCheck } from './target-reached-check.js';
import { isoUtc, timeMicros } from '../pg/timestamps.js';

export const SANDBOX_CHECKS: readonly RecoveryCheck[] = [targetReachedCheck, promotedCheck, noArchivingCheck, tablesReadableCheck, sqlChecks];

export interface Freshness {
  seconds: number;
  /** Commit time of the newest transaction the recovery replayed (or the backup's end when none was). */
  newestCommit: string;
  /** Where that time came from. */
  from: 'pg_last_committed_xact()' | 'server log: last completed transaction' | 'end of the backup';
  /** The moment the drill started (runner clock): the simulated loss. */
  lossAt: string;
}

export interface SandboxVerification {
  checks: CheckResult[];
  confirmation: TargetConfirmation;
  freshness?: Freshness;
}

export async function verifySandbox(input: {
  drill: SourceDrill;
  restored: PostgresInstance;
  target: RecoveryTarget;
  logical: boolean;
  archiveEnd?: ArchiveEnd | undefined;
  lossAt: Date;
  backupEnd?: string | undefined;
}): Promise<SandboxVerification> {
  const { restored, target } = input;
  // Read before any other transaction moves it (PITR-FACTS #6).
  // pg_last_committed_xact() needs track_commit_timestamp; without it the server log says the same.
  const [state] = await restored.query<{ in_recovery: boolean; ts: string | null }>(
    `select pg_is_in_recovery() as in_recovery,
            case when current_setting('track_commit_timestamp')::bool
                 then (select ${isoUtc('l.timestamp')} from pg_last_committed_xact() l) end as ts`,
  );
  const confirmation: TargetConfirmation = input.logical
    ? { reached: true, evidence: ['the dump was loaded without error: the state of the database when it was dumped'] }
    : confirmTarget(target, restored.readLog(), input.archiveEnd);
  const context = {
    drill: input.drill,
    restored,
    target,
    truth: { fingerprints: [], compareValues: new Map<number, string | null>() },
    ledger: [],
    inRecovery: state?.in_recovery,
    confirmation,
    recoveredMarkerIds: [],
    rpo: { rpoSeconds: 0, lowerBound: false, lostMarkers: 0, discardedMarkers: 0, survivingPostIncidentMarkers: 0 },
  };
  const checks: CheckResult[] = [];
  for (const check of SANDBOX_CHECKS) checks.push(...(await check(context)));
  // A loaded dump replays nothing: its point in time is the dump's own.
  const freshness = input.logical
    ? measureFreshness(input.lossAt, undefined, undefined, input.backupEnd)
    : measureFreshness(input.lossAt, state?.ts ?? undefined, confirmation.lastCompletedTransactionTime, input.backupEnd);
  return { checks, confirmation, ...(freshness ? { freshness } : {}) };
}

function measureFreshness(lossAt: Date, lastCommit: string | undefined, fromLog: string | undefined, backupEnd: string | undefined): Freshness | undefined {
  const [time, from] = lastCommit
    ? [lastCommit, 'pg_last_committed_xact()' as const]
    : fromLog
      ? [fromLog, 'server log: last completed transaction' as const]
      : [backupEnd, 'end of the backup' as const];
  const micros = time ? timeMicros(time) : undefined;
  if (!time || micros === undefined) return undefined;
  return { seconds: Math.max(0, (lossAt.getTime() * 1000 - micros) / 1e6), newestCommit: time, from, lossAt: lossAt.toISOString() };
}
