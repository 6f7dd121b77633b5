// A Postgres server started by the local provider from native binaries. stop() is idempotent and shared by
// concurrent callers; a process-wide registry kills any postmaster left if pgdrill itself is torn down.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { PostgresInstance, ProviderContext } from '../provider.js';
import { fileSize, isAlive, postmasterPid, waitUntilReady, type ReadyEvent } from '../readiness.js';
import { livePostmasters } from './postmaster-registry.js';

export class LocalInstance implements PostgresInstance {
  readonly host = '127.0.0.1';
  private stopping: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly dataDir: string,
    readonly logFile: string,
    private readonly password: string,
    readonly ready: ReadyEvent,
    private readonly ctx: ProviderContext,
    private readonly pgCtl: string,
    readonly socketDir: string | undefined,
  ) {
    const pid = postmasterPid(dataDir);
    if (pid) livePostmasters.add(pid);
  }

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

  async crash(): Promise<void> {
    const pid = postmasterPid(this.dataDir);
    if (!pid) return;
    // pg_ctl starts the postmaster in its own session: its process group is the whole server.
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
    for (let i = 0; i < 250 && isAlive(pid); i++) await sleep(10);
    livePostmasters.delete(pid);
  }

  async restart(whileStopped: () => Promise<void>): Promise<void> {
    const pid = postmasterPid(this.dataDir);
    await this.ctx.runner.run(this.pgCtl, ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', '-s'], {
      label: `pg_ctl-stop-${this.name}`,
      asServerUser: true,
    });
    if (pid) livePostmasters.delete(pid);
    await whileStopped();
    const logOffset = fileSize(this.logFile);
    const startedAt = performance.now();
    await this.ctx.runner.run(this.pgCtl, ['start', '-D', this.dataDir, '-l', this.logFile, '-W', '-s'], {
      label: `pg_ctl-start-${this.name}`,
      asServerUser: true,
    });
    await waitUntilReady({ name: this.name, dataDir: this.dataDir, logFile: this.logFile, deadlineMs: 60_000, signal: this.ctx.signal, startedAt, logOffset });
    const newPid = postmasterPid(this.dataDir);
    if (newPid) livePostmasters.add(newPid);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async doStop(): Promise<void> {
    const pid = postmasterPid(this.dataDir);
    const pgCtl = (mode: string) =>
      this.ctx.runner
        .withoutAbort()
        .run(this.pgCtl, ['stop', '-D', this.dataDir, '-m', mode, '-w', '-t', '30', '-s'], {
          label: `pg_ctl-stop-${this.name}`,
          asServerUser: true,
          allowFailure: true,
          timeoutMs: 40_000,
        });
    try {
      if (pid && isAlive(pid)) {
        const fast = await pgCtl('fast');
        if (fast.exitCode !== 0 && isAlive(pid)) await pgCtl('immediate');
      }
    } finally {
      if (pid) {
        for (let i = 0; i < 50 && isAlive(pid); i++) {
          if (i === 20) process.kill(pid, 'SIGKILL');
          await sleep(20);
        }
        livePostmasters.delete(pid);
      }
      if (existsSync(this.logFile)) copyFileSync(this.logFile, path.join(this.ctx.logDir, `${this.name}-server.log`));
    }
  }
}
