// What a drill observed, in typed parts filled in as it goes and read once by assemble-result.ts: where it ran,
// what its prologue produced (the backup pgdrill took and the incident it caused, or the user's backup it chose),
// and what the one recovery saw. A later phase may fail, so each part holds only what happened.
import type { DrillResult } from '../model/result-schema.js';
import type { CheckResult } from '../model/check-result.js';
import type { Marker } from '../model/marker.js';
import type { IncidentRecord } from '../incidents/incident.js';
import type { PipelineFinding } from '../pipeline/finding.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import type { ProviderInfo } from '../providers/provider.js';
import type { ReadOnlyGuard } from '../exec/read-only.js';
import type { ReadyEvent } from '../providers/readiness.js';
import type { BackupArtifact, WalContinuity } from '../tools/backup-method.js';
import type { ChosenBackup } from '../tools/source.js';
import type { TargetConfirmation } from '../verify/confirm-target.js';
import type { VerifyOutcome } from '../verify/verify.js';
import type { DiskWrite } from './disk-probe.js';
import type { ReplaySplit } from '../verify/replay-split.js';
import type { LiveLoss } from './plans/stage-live.js';
import type { SandboxConfig } from './replay/sandbox-settings.js';
import type { WalFetch } from './replay/wal-fetch.js';
import type { IntegrityOutcome } from './stage-integrity.js';

export interface EnvironmentSeen {
  info?: ProviderInfo;
  toolVersions: Record<string, string>;
  /** The primary's settings as the server reports them (self-contained drills). */
  settings: Record<string, string>;
}

/** A drill that builds its own primary: the backup it took, the incident it caused, the markers it wrote. */
export interface SelfContainedSeen {
  kind: 'self-contained';
  backup?: BackupArtifact;
  incident?: IncidentRecord;
  declaredAt?: string;
  ledger: Marker[];
  continuity?: WalContinuity;
}

/** A drill of a backup the user has: the backup chosen, the pipeline's health, the simulated loss (`live`). */
export interface ExistingSeen {
  kind: 'existing';
  source?: { kind: string; backup: ChosenBackup; toolVersion: string };
  pipeline?: PipelineFinding[];
  live?: LiveLoss;
  /** Why the RPO objective cannot be shown met whatever this run measures (one sample of a longer archive cycle). */
  rpoNotProven?: string;
  /** Whether the user's paths were held read-only for every child of the drill, and how (or why not). */
  readOnly?: ReadOnlyGuard;
}

/** What the recovery saw (recover.ts). */
export interface RecoverySeen {
  target?: RecoveryTarget;
  /** The recovery settings: the tool's own and pgdrill's, restore_command as the server ran it. */
  settings?: Record<string, string>;
  /** A production configuration's overrides. */
  sandbox?: SandboxConfig;
  readiness?: ReadyEvent;
  walFetch?: WalFetch;
  /** How many processes the backup tool restored the files with, as it said (pgBackRest's process-max). */
  restoreProcesses?: number;
  /** Of the restore phase, the seconds of its longest command: the copy of the files (forecast.ts scales it). */
  restoreCopySeconds?: number;
  /** The wal-replay phase as the server log splits it: start-up, redo, end-of-recovery checkpoint. */
  replaySplit?: ReplaySplit;
  /** The work folder's disk, written and flushed (a drill with objectives.forecast). */
  diskWrite?: DiskWrite;
  /** Where recovery stopped, as the log proves (or why it did not finish). */
  confirmation?: TargetConfirmation;
  verify?: VerifyOutcome;
  integrity?: IntegrityOutcome;
  /** Why the RPO objective does not apply (a recovery to a chosen past point). */
  rpoNotApplicable?: string;
}

export interface DrillOutcome {
  environment: EnvironmentSeen;
  prologue: SelfContainedSeen | ExistingSeen;
  recovery: RecoverySeen;
  /** Checks of the prologue: the backup's verification, the archive's continuity, detections, maxBackupAge. */
  checks: CheckResult[];
  /** Plain-language findings that lead the diagnosis (missing WAL...). */
  findings: string[];
  /** Problems that did not change the verdict but must be seen (a cleanup step that failed). */
  warnings: string[];
  /** Sizes against the same drill's earlier runs, and their checks. */
  sanity?: { section: NonNullable<DrillResult['sanity']>; checks: CheckResult[] };
  error?: unknown;
}

export function newOutcome(kind: 'self-contained' | 'existing'): DrillOutcome {
  return { environment: { toolVersions: {}, settings: {} }, prologue: kind === 'self-contained' ? { kind, ledger: [] } : { kind }, recovery: {}, checks: [], findings: [], warnings: [] };
}

/** The recovery's checks: verification's, then the integrity pass's. */
export function recoveryChecks(r: RecoverySeen): CheckResult[] {
  return [...(r.verify?.checks ?? []), ...(r.integrity?.checks ?? [])];
}

/** Every check the drill ran, in the order reports show them. */
export function allChecks(o: DrillOutcome): CheckResult[] {
  return [...o.checks, ...recoveryChecks(o.recovery), ...(o.sanity?.checks ?? [])];
}

/** The recovered instance was verified: verification ran and every check of it (and of the integrity pass) passed. */
export function recoveryVerified(o: DrillOutcome): boolean {
  return o.recovery.verify !== undefined && recoveryChecks(o.recovery).every((c) => c.status === 'passed');
}
