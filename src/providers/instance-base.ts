// What every provider's instance shares: node-postgres connections, the server log, and an idempotent stop()
// whose one in-flight promise is shared by concurrent callers (and by `await using`).
import { existsSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import type { PostgresInstance, StopMode } from './provider.js';
import type { ReadyEvent } from './readiness.js';

let loading: Promise<typeof pg> | undefined;

/**
 * node-postgres, loaded on first use: a drill that never connects (a dump's restore failed, `pgdrill check`) does not
 * pay for it, and a recovery asks for it while its files are copied, so the first connection does not wait.
 */
export function loadPg(): Promise<typeof pg> {
  loading ??= import('pg').then((m) => m.default);
  return loading;
}

/** The longest any single SQL statement of pgdrill's may run (fixtures run through psql, with the step timeout). */
export const STATEMENT_TIMEOUT_MS = 10 * 60_000;

export abstract class InstanceBase implements PostgresInstance {
  readonly host: string = '127.0.0.1';
  /**
   * A sandbox of someone else's cluster: no TCP at all, pgdrill connects as this existing role over the private
   * socket with trust (pgdrill cannot know the cluster's passwords, and nobody else can reach the socket).
   */
  protected socketRole: string | undefined;
  /** The database connections and queries use unless they name one (a restored dump's own database). */
  defaultDatabase = 'postgres';
  abstract readonly port: number;
  abstract readonly socketDir: string | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly dataDir: string,
    readonly logFile: string,
    private readonly password: string,
    readonly ready: ReadyEvent,
  ) {}

  get connection(): pg.ClientConfig {
    if (this.socketRole && this.socketDir) return { host: this.socketDir, port: this.port, user: this.socketRole, database: this.defaultDatabase };
    return { host: this.host, port: this.port, user: 'postgres', password: this.password, database: this.defaultDatabase };
  }

  async connect(database = this.defaultDatabase): Promise<pg.Client> {
    // Every statement pgdrill runs has a deadline: a hung commit (a standby that never answers) or a lock must
    // fail the step with a message, not hang the drill.
    const { Client } = await loadPg();
    const client = new Client({
      ...this.connection,
      database,
      application_name: 'pgdrill',
      connectionTimeoutMillis: 30_000,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: STATEMENT_TIMEOUT_MS + 30_000,
    });
    await client.connect();
    return client;
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    const client = await this.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  readLog(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  /** Idempotent; concurrent callers share one attempt, and a failed attempt can be retried. */
  stop(mode: StopMode = 'fast'): Promise<void> {
    this.stopping ??= this.doStop(mode).catch((error: unknown) => {
      this.stopping = undefined;
      throw error;
    });
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  protected abstract doStop(mode: StopMode): Promise<void>;
  abstract crash(): Promise<void>;
  abstract restart(whileStopped: () => Promise<void>): Promise<void>;
}
