// The backup-method port: how a backup is taken, verified and restored. The runner talks only to this
// interface; each method is one file registered in backup/registry.ts.
import type { PostgresInstance, Provider, ProviderContext } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import type { CheckResult } from '../model/check-result.js';

export interface BackupContext extends ProviderContext {
  provider: Provider;
  /** The run's WAL archive (disposable, inside the work folder). */
  archiveDir: string;
}

export interface BackupArtifact {
  method: string;
  /** Where the backup lives (read-only for restores). */
  location: string;
  startLsn?: string;
  endLsn?: string;
  /** Timeline the backup was taken on. */
  timeline?: number;
  sizeBytes: number;
  /** The data folder's size once restored, when the tool says it (sizeBytes may be compressed): progress totals. */
  dataBytes?: number | undefined;
  seconds: number;
  /** When the backup finished, on the database clock (time targets must not be earlier). */
  endTime?: string;
}

/** Whether the archive holds every WAL segment recovery needs, and where it stops being contiguous. */
export interface WalContinuity {
  continuous: boolean;
  /** False when the method keeps no WAL archive (nothing to check). */
  applicable?: boolean;
  /** First segment that is needed but missing. */
  missingSegment?: string;
  /** Last LSN recovery can reach before the hole. */
  lastContiguousLsn?: string;
  firstSegment: string;
  lastSegment: string;
}

/** Result of making sure the WAL up to a point is in the archive. */
export interface ArchiveFlush {
  segment: string;
  seconds: number;
}

/** A physical restore: a data folder the provider starts, recovering to the target as it starts. */
export interface PhysicalRestorePlan {
  kind: 'physical';
  /** The new instance's data folder, filled from the backup. */
  dataDir: string;
  /** Recovery settings the provider appends before start (restore_command, targets, archive_mode=off). */
  settings: Record<string, string>;
  /** Recovery settings the backup tool wrote itself (for the report). */
  written?: Record<string, string>;
  /**
   * The folder on this host restore_command copies WAL segments from (plain or gzipped), when it is one: pgdrill
   * then places the next segments in the server's pg_wal while it replays (runner/wal-prefetch.ts).
   */
  archiveFolder?: string;
  /** The restore_command also serves the unfinished segment a WAL receiver is writing (Barman's get-wal --partial). */
  servesPartial?: boolean;
  /** How many processes the tool restored the files with, as it said (pgBackRest's process-max, from the user's configuration). */
  restoreProcesses?: number;
}

/** A logical restore (pg_dump): a fresh instance is created, then the dump is loaded into it. */
export interface LogicalRestorePlan {
  kind: 'logical';
  settings: Record<string, string>;
  /** Creates and fills the new instance; returns it ready. */
  load(password: string): Promise<PostgresInstance>;
}

export type RestorePlan = PhysicalRestorePlan | LogicalRestorePlan;

/** Bytes a backup in progress has done and, when known, will do; undefined when nothing can be read yet. */
export type BackupProgress = () => Promise<{ done: number; total?: number | undefined } | undefined>;

export interface RestoreRequest {
  target: RecoveryTarget;
  timeline: string | number;
  instanceName: string;
}

/** What the drill loader must know about a method before anything starts. */
export interface MethodFacts {
  /** False for methods without WAL (pg_dump, a base backup alone): only the backup's own point can be restored. */
  readonly pointInTime: boolean;
  /** It can delete one segment from the drill's own WAL archive (removeArchivedSegment: the missing-wal incident). */
  readonly removableWal: boolean;
  /** It can damage a data file of the drill's own backup (damageBackup: the corrupt-backup incident). */
  readonly damageableBackup: boolean;
  /** The keys of the drill's backup section it reads besides method, and whether each is required. */
  readonly options?: Readonly<Record<string, 'optional' | 'required'>>;
}

/** Where a method keeps its repository when the drill says (pgBackRest on S3); by default the work folder. */
export interface S3Repository {
  type: 's3';
  bucket: string;
  /** https://host[:port] of the S3 API. */
  endpoint: string;
  region: string;
  uriStyle: 'path' | 'host';
  verifyTls: boolean;
  caFile?: string | undefined;
  /** Prefix in the bucket; each drill writes below <prefix>/<work folder name> and deletes it at the end. */
  prefix: string;
}

/** Where barman-cloud writes (the drill's own server below this destination). */
export interface CloudDestination {
  destination: string;
  endpoint?: string | undefined;
  cloudProvider: string;
  profile?: string | undefined;
}

export interface BackupOptions {
  repo?: S3Repository | undefined;
  cloud?: CloudDestination | undefined;
}

/** Bytes a corrupt-backup incident changed in the drill's own backup, and where (a path or an object key). */
export interface BackupDamage {
  /** The file as the backup knows it, e.g. base/5/16384 (pg_data/base/5/16384.lz4 in a pgBackRest repository). */
  file: string;
  /** Where it lives: a path in the work folder, or s3://bucket/key for an object. */
  where: string;
  offset: number;
  bytes: number;
}

/** A method as the registry knows it: a class with its facts. */
export interface MethodAdapter {
  new (options?: BackupOptions): BackupMethod;
  readonly facts: MethodFacts;
}

export interface BackupMethod {
  readonly name: string;
  /** After the primary is up, before the workload: repositories, stanzas, WAL receivers. */
  prepare?(ctx: BackupContext, primary: PostgresInstance): Promise<void>;
  /** Stops what prepare started (a WAL receiver); runs on every path. */
  dispose?(): Promise<void>;
  /** Settings the primary needs (archive_mode, archive_command). */
  primarySettings(ctx: BackupContext): Record<string, string>;
  /** Takes a base backup of the running primary. */
  takeBackup(ctx: BackupContext, primary: PostgresInstance): Promise<BackupArtifact>;
  /**
   * How far the backup got while takeBackup runs, read from the tool (its lock file, its processes), when it is
   * not what pg_stat_progress_basebackup shows (the default: pg_basebackup and Barman's postgres method).
   */
  backupProgress?(ctx: BackupContext, primary: PostgresInstance): BackupProgress;
  /** The method's own integrity check of the backup (pg_verifybackup, pgbackrest verify...). */
  verify(ctx: BackupContext, backup: BackupArtifact): Promise<CheckResult>;
  /** Forces the WAL holding `lsn` into the archive and waits until it is there. */
  archiveThrough(ctx: BackupContext, primary: PostgresInstance, lsn: string, deadlineMs: number): Promise<ArchiveFlush>;
  /** Checks the archive holds every segment from the backup's start through `untilLsn`. */
  walContinuity(ctx: BackupContext, backup: BackupArtifact, untilLsn: string): Promise<WalContinuity>;
  /** The newest WAL position the archive can give (end of its last segment). */
  archiveEnd(ctx: BackupContext): Promise<string | undefined>;
  /** Copies the backup into a new data folder and says how to recover it to the target. Never writes to the backup. */
  restore(ctx: BackupContext, backup: BackupArtifact, recovery: RestoreRequest): Promise<RestorePlan>;
  /** Version of the tool behind the method, for the report. */
  version(ctx: BackupContext): Promise<string>;
  /**
   * Deletes one archived segment from the drill's own archive (never a user's) and says where it was: a path, or
   * the object's key. Methods whose facts say removableWal implement it.
   */
  removeArchivedSegment?(ctx: BackupContext, segment: string): Promise<string>;
  /** Changes bytes in the largest data file of the drill's own backup after it was taken (damageableBackup). */
  damageBackup?(ctx: BackupContext, backup: BackupArtifact): Promise<BackupDamage>;
  /** Checks of the method's own beyond the backup's verification (barman check...), after recovery. */
  extraChecks?(ctx: BackupContext): Promise<CheckResult[]>;
}
