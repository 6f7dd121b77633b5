// Verifies a recovered instance, the same way for every drill. What it observed is read once (promotion state and
// the newest replayed commit first, before anything else moves them: PostgreSQL 15 docs, pg_last_committed_xact;
// the server log; the markers present), the data loss is measured from it (markers when the drill has them, else
// the freshness of the newest replayed commit), then every check of RECOVERY_CHECKS runs on the same
// observations. A check whose input the drill does not have (no pre-incident truth, no markers) returns nothing.
import type { AnyDrill } from '../drill/drill.js';
import type { IncidentRecord } from '../incidents/incident.js';
import type { CheckResult } from '../model/check-result.js';
import type { Marker } from '../model/marker.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import { isoUtc, timeMicros } from '../pg/timestamps.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryCheck } from './check.js';
import { confirmTarget, type ArchiveEnd, type TargetConfirmation } from './confirm-target.js';
import { measureFreshness, type Freshness } from './freshness.js';
import { markerChecks } from './marker-checks.js';
import { measureRpo, type RpoMeasurement } from './measure-rpo.js';
import { noArchivingCheck } from './no-archiving-check.js';
import { promotedCheck } from './promoted-check.js';
import { appChecks } from './app-checks.js';
import { schemaChecks } from './schema-check.js';
import { sqlChecks } from './sql-check.js';
import { tablesCheck } from './table-fingerprint.js';
import { targetReachedCheck } from './target-reached-check.js';
import type { PreIncidentTruth } from './truth.js';

/** Every check of a recovered instance, in the order reports show them. Adding one: a file and a line here. */
export const RECOVERY_CHECKS: readonly RecoveryCheck[] = [targetReachedCheck, promotedCheck, noArchivingCheck, tablesCheck, markerChecks, sqlChecks, appChecks, schemaChecks];

/** The checks that read the tables themselves (the drill's queries, fingerprints): their time grows with the data. */
const READ_THE_DATA: ReadonlySet<RecoveryCheck> = new Set([tablesCheck, sqlChecks]);

/** Markers the drill wrote before the loss, and how to find those that came back. */
export interface MarkerEvidence {
  /** Every marker known committed before the loss (or the incident's declaration). */
  ledger: Marker[];
  /** The ids of the markers present on the recovered instance. */
  recovered(restored: PostgresInstance): Promise<number[]>;
  /** The loss (an incident's commit, a simulated loss): markers committed earlier should be back. */
  lossMicros: number;
  /** Where the WAL itself orders a marker relative to the damage (true: before); undefined: the clock decides. */
  order?: ((m: Marker) => boolean | undefined) | undefined;
}

export interface VerifyInput {
  drill: AnyDrill;
  restored: PostgresInstance;
  target: RecoveryTarget;
  /** A logical restore (a dump): there is no recovery to confirm, and the data ends at the dump. */
  logical: boolean;
  /** For latest: where the archive ends; replay must read it to its end. */
  archiveEnd?: ArchiveEnd | undefined;
  /** When the backup finished (database clock): the recoverable point when no transaction was replayed. */
  backupEndTime?: string | undefined;
  /** The tables and values captured before an incident pgdrill caused. */
  truth?: PreIncidentTruth | undefined;
  incident?: IncidentRecord | undefined;
  markers?: MarkerEvidence | undefined;
  /** Without markers: the moment a loss is simulated, for the freshness of what came back. */
  lossAt?: Date | undefined;
  /** The live source's answer to a query, for `compare: source`. */
  sourceAnswer?: ((sql: string, database: string | undefined) => Promise<string | null>) | undefined;
}

export interface VerifyOutcome {
  checks: CheckResult[];
  confirmation: TargetConfirmation;
  /** Seconds spent in the checks that read the tables (READ_THE_DATA); the rest of verification is fixed work. */
  dataSeconds: number;
  /** Data loss measured with markers. */
  rpo?: RpoMeasurement | undefined;
  /** Without markers: how old the newest replayed commit was at the loss. */
  freshness?: Freshness | undefined;
  lastReplayedCommit?: { xid: string; time: string };
}

/** What the instance says right after it opened: read before any other transaction (a step, a check) moves it. */
export interface RecoveryState {
  in_recovery: boolean;
  xid: string | null;
  ts: string | null;
}

export async function readRecoveryState(restored: PostgresInstance): Promise<RecoveryState | undefined> {
  // pg_last_committed_xact() needs track_commit_timestamp; without it the server log says the same.
  // A CASE, not a WHERE: the function raises an error when the setting is off, and CASE does not call it then.
  const tracked = `current_setting('track_commit_timestamp')::bool`;
  const [state] = await restored.query<{ in_recovery: boolean; xid: string | null; ts: string | null }>(
    `select pg_is_in_recovery() as in_recovery,
            case when ${tracked} then (select l.xid::text from pg_last_committed_xact() l) end as xid,
            case when ${tracked} then (select ${isoUtc('l.timestamp')} from pg_last_committed_xact() l) end as ts`,
  );
  return state;
}

export async function verifyRecovery(input: VerifyInput, opened?: RecoveryState): Promise<VerifyOutcome> {
  const { restored } = input;
  const state = opened ?? (await readRecoveryState(restored));
  const confirmation: TargetConfirmation = input.logical
    ? { reached: true, evidence: ['the dump was loaded without error: the state of the databases when they were dumped'] }
    : confirmTarget(input.target, restored.readLog(), input.archiveEnd);
  const lastCommit = input.logical ? undefined : (state?.ts ?? undefined);
  const m = input.markers;
  const recoveredMarkerIds = m ? await m.recovered(restored) : [];
  let rpo: RpoMeasurement | undefined;
  let freshness: Freshness | undefined;
  if (m) {
    const backupEnd = input.backupEndTime ? timeMicros(input.backupEndTime) : undefined;
    // No marker back: the loss runs from the newest commit the recovery replayed (the source's own commit time,
    // the same clock as the markers'), read from pg_last_committed_xact, else the server log, else the backup's end.
    const fromLog = input.logical ? undefined : confirmation.lastCompletedTransactionTime;
    const replayed = lastCommit ?? fromLog;
    const until = (replayed ? timeMicros(replayed) : undefined) ?? backupEnd;
    rpo = measureRpo(m.ledger, m.lossMicros, recoveredMarkerIds, until, m.order);
  } else if (input.lossAt) {
    freshness = measureFreshness(input.lossAt, lastCommit, input.logical ? undefined : confirmation.lastCompletedTransactionTime, input.backupEndTime);
  }
  const context = { ...input, ledger: m?.ledger ?? [], inRecovery: state?.in_recovery, confirmation, recoveredMarkerIds, rpo };
  const checks: CheckResult[] = [];
  let dataSeconds = 0;
  for (const check of RECOVERY_CHECKS) {
    const started = performance.now();
    checks.push(...(await check(context)));
    if (READ_THE_DATA.has(check)) dataSeconds += (performance.now() - started) / 1000;
  }
  return {
    checks,
    confirmation,
    dataSeconds,
    ...(rpo ? { rpo } : {}),
    ...(freshness ? { freshness } : {}),
    ...(state?.xid && state.ts && !input.logical ? { lastReplayedCommit: { xid: state.xid, time: state.ts } } : {}),
  };
}
