// The source port: a backup the user already has (a pgBackRest stanza, a pg_basebackup folder and its WAL
// archive, a dump). A source only reads the user's files: every restore writes into the drill's work folder,
// and tools that want state (locks, logs, spool) are pointed there. One adapter file per kind, registered in
// sources/registry.ts.
import type { RestorePlan, RestoreRequest } from './backup-method.js';
import type { PipelineFinding } from '../pipeline/finding.js';
import type { ProviderContext, Provider } from '../providers/provider.js';

export interface SourceContext extends ProviderContext {
  provider: Provider;
}

/** The backup a drill restores, as the tool (or the folder) describes it. */
export interface ChosenBackup {
  /** Label or id as the tool names it (pgBackRest set, folder name). */
  label: string;
  /** How it was chosen: latest, oldest, random (seed N), or the label asked for. */
  chosenBy: string;
  /** Where it came from: repository, folder, file. */
  location: string;
  /** PostgreSQL major version of the backed-up cluster. */
  pgMajor: number;
  startTime?: string | undefined;
  stopTime?: string | undefined;
  startLsn?: string | undefined;
  stopLsn?: string | undefined;
  sizeBytes: number;
  /** What the restore writes, when the tool knows it (uncompressed): the disk preflight's need. */
  restoredBytes?: number | undefined;
  /** First and last WAL segment the repository or archive holds for it. */
  walRange?: { first: string; last: string } | undefined;
  /** Every backup the source holds (for the report), newest last. */
  available: string[];
  /**
   * The newest WAL segment of this backup's archive, when the metadata read at inspect holds it (pgBackRest's info
   * answers both at once): a `latest` drill declares its disaster after this answer and replays nothing archived
   * later, with no second read. Absent: the drill asks newestSegment.
   */
  archiveEnd?: { newest: string | undefined } | undefined;
  /** When the newest backup the source holds finished (the age `pgdrill check` holds against maxBackupAge). */
  newestStopTime?: string | undefined;
}

export interface BackupSource {
  readonly kind: string;
  /** Reads the metadata and picks the backup (cheap: no restore). Throws EnvironmentError / DrillConfigError. */
  inspect(ctx: SourceContext): Promise<ChosenBackup>;
  /** Restores the chosen backup into a new data folder under the work folder, never writing to the source. */
  restore(ctx: SourceContext, backup: ChosenBackup, request: RestoreRequest): Promise<RestorePlan>;
  /**
   * The newest WAL segment the backup system holds, read now (not from the metadata read at inspect): with `live`,
   * what had reached it at the loss; the end of a `latest` recovery (replay must read it to its end) when the
   * inspection did not read it (ChosenBackup.archiveEnd).
   */
  newestSegment?(ctx: SourceContext): Promise<string | undefined>;
  /** What the tool itself says about the repository (a stanza's status, the archive's continuity), for `pgdrill check`. */
  health?(ctx: SourceContext, backup: ChosenBackup): Promise<PipelineFinding[]>;
  /** Version of the tool behind the source, for the report. */
  version(ctx: SourceContext): Promise<string>;
  /** The database the checks run in, when it is not postgres (a dump of another database). */
  checkDatabase?(): string;
  /** The backup system receives WAL by streaming (Barman's streaming_archiver): the source needs no archive_command. */
  streamsWal?(): boolean;
  /** Secret values the source holds (cloud keys from the environment), redacted from every command log. */
  secrets?(): string[];
  /** Every path the drill must leave byte-for-byte as it found it. */
  readOnlyPaths(): string[];
  /** Every host file and folder the source reads (a sandbox in a container gets them mounted read-only). */
  inputPaths(): string[];
  /** Where its tools connect (object storage): URLs or host names; none when everything is a file on this host. */
  endpoints(): string[];
}
