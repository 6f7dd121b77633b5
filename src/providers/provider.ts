// The provider port: where Postgres instances run. The drill runner talks only to this interface; adapters
// live in their own folders and register in providers/registry.ts. (The docker provider runs a whole drill in a
// container, where this port's local adapter runs the instances: providers/docker/.)
import type pg from 'pg';
import type { CommandRunner } from '../exec/command-runner.js';
import type { OsUser } from '../exec/os-user.js';
import type { ReadyEvent } from './readiness.js';

/** fast: a clean shutdown (checkpoint; pg_checksums and a restart need it). immediate: no checkpoint, the drill's end. */
export type StopMode = 'fast' | 'immediate';

/** A running Postgres server owned by the drill. Stop is idempotent; `await using` stops it on every path. */
export interface PostgresInstance extends AsyncDisposable {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** Folder of the server's Unix socket (tools like pgBackRest connect through it), or undefined. */
  readonly socketDir: string | undefined;
  /** node-postgres connection settings (password included: never log this object). */
  readonly connection: pg.ClientConfig;
  /** How and when readiness was detected when the instance started. */
  readonly ready: ReadyEvent;
  connect(database?: string): Promise<pg.Client>;
  /** The database connect() and query() use when none is named. */
  defaultDatabase: string;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** The server log so far. */
  readLog(): string;
  /**
   * Stops the server (fast, then immediate, then SIGKILL) and copies its log to the run's log folder. `immediate`
   * skips the shutdown checkpoint: for a disposable server nothing reads again (the drill's end).
   */
  stop(mode?: StopMode): Promise<void>;
  /** Host loss: SIGKILL the postmaster and every backend at once (no shutdown checkpoint, no WAL flush). */
  crash(): Promise<void>;
  /** Clean stop, `whileStopped` (e.g. damage files on disk), start again on the same port and wait until ready. */
  restart(whileStopped: () => Promise<void>): Promise<void>;
}

export interface StartSpec {
  /** primary, restore, ... : names the folder, the log and progress lines. */
  name: string;
  dataDir: string;
  /** Settings appended to postgresql.auto.conf before start (they win over inherited ones). */
  settings: Record<string, string | number | boolean>;
  /** What "ready" means: a read-write server. Recovery targets are confirmed from the same log. */
  deadlineMs: number;
  /** A sandbox of an existing cluster: no TCP, connections as this role over the instance's private socket. */
  socketRole?: string | undefined;
}

export interface InitSpec extends Omit<StartSpec, 'dataDir'> {
  password: string;
}

/** What a provider needs from the drill: where to work, how to run commands, when to give up. */
export interface ProviderContext {
  workDir: string;
  logDir: string;
  runner: CommandRunner;
  serverUser: OsUser | undefined;
  signal: AbortSignal;
}

export interface ProviderInfo {
  provider: string;
  /** Why this provider was chosen (auto picks one). */
  reason: string;
  postgresVersion: string;
  binDir?: string;
  serverUser?: string;
}

export interface Provider {
  readonly name: string;
  /** Checks binaries and versions; throws EnvironmentError with the fix when something is missing. */
  describe(): Promise<ProviderInfo>;
  /** Absolute path of a Postgres client or server tool (pg_basebackup, pg_verifybackup, psql...). */
  tool(name: string): string;
  /** initdb (checksums, scram-sha-256) + settings + start; returns a ready primary. */
  initPrimary(ctx: ProviderContext, spec: InitSpec): Promise<PostgresInstance>;
  /** Starts a server on an existing (restored) data folder and waits until it accepts read-write connections. */
  start(ctx: ProviderContext, spec: StartSpec & { password: string }): Promise<PostgresInstance>;
}
