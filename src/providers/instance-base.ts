// What every provider's instance shares: node-postgres connections, the server log, and an idempotent stop()
// whose one in-flight promise is shared by concurrent callers (and by `await using`).
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import type { PostgresInstance } from './provider.js';
import type { ReadyEvent } from './readiness.js';

export abstract class InstanceBase implements PostgresInstance {
  readonly host = '127.0.0.1';
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
    return { host: this.host, port: this.port, user: 'postgres', password: this.password, database: 'postgres' };
  }

  async connect(database = 'postgres'): Promise<pg.Client> {
    const client = new pg.Client({ ...this.connection, database, application_name: 'pgdrill' });
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

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  protected abstract doStop(): Promise<void>;
  abstract crash(): Promise<void>;
  abstract restart(whileStopped: () => Promise<void>): Promise<void>;
}
