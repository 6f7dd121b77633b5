// The check port. Every check of a recovered instance has the same signature: it reads what verification observed
// once (VerifyContext) and returns its results, none when the drill lacks its input; verify.ts lists them.
import type { AnyDrill } from '../drill/drill.js';
import type { IncidentRecord } from '../incidents/incident.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import type { Marker } from '../model/marker.js';
import type { CheckResult } from '../model/check-result.js';
import type { TargetConfirmation } from './confirm-target.js';
import type { RpoMeasurement } from './measure-rpo.js';
import type { PreIncidentTruth } from './truth.js';

/** What verification observed on the recovered instance, read once, for every check. */
export interface VerifyContext {
  drill: AnyDrill;
  restored: PostgresInstance;
  target: RecoveryTarget;
  /** The tables and values captured before an incident pgdrill caused; none for a drill of an existing backup. */
  truth?: PreIncidentTruth | undefined;
  /** The incident pgdrill caused; none for a drill of an existing backup. */
  incident?: IncidentRecord | undefined;
  /** The markers written before the loss (none when the drill writes none). */
  ledger: Marker[];
  /** pg_is_in_recovery(), read right after promotion. */
  inRecovery: boolean | undefined;
  confirmation: TargetConfirmation;
  /** Marker ids present after recovery. */
  recoveredMarkerIds: number[];
  /** The live source's answer to a query (read-only), for `compare: source`; none without live. */
  sourceAnswer?: ((sql: string, database: string | undefined) => Promise<string | null>) | undefined;
  /** Data loss measured with the markers, when the drill has them. */
  rpo?: RpoMeasurement | undefined;
}

/** One verification of a recovered instance. */
export type RecoveryCheck = (v: VerifyContext) => Promise<CheckResult[]>;
