// A Postgres server started by the local provider from native binaries. stop() is idempotent and shared by
// concurrent callers; a process-wide registry kills any postmaster left if pgdrill itself is torn down.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { processesWith } from '../../exec/processes.js';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { InstanceBase } from '../instance-base.js';
import type { ProviderContext, StopMode } from '../provider.js';
import { fileSize, isAlive, postmasterPid, waitUntilReady, type ReadyEvent } from '../readiness.js';
import { livePostmasters } from './postmaster-registry.js';

export class LocalInstance extends InstanceBase {
  constructor(
    name: string,
    readonly port: number,
    dataDir: string,
    logFile: string,
    password: string,
    ready: ReadyEvent,
    private readonly ctx: ProviderContext,
    private readonly pgCtl: string,
    readonly socketDir: string | undefined,
    socketRole?: string,
  ) {
    super(name, dataDir, logFile, password, ready);
    this.socketRole = socketRole;
    const pid = postmasterPid(dataDir);
    if (pid) livePostmasters.add(pid);
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

  private async pendingPostmaster(): Promise<number | undefined> {
    const deadline = performance.now() + 10_000;
    for (let i = 0; performance.now() < deadline; i++) {
      const pid = postmasterPid(this.dataDir);
      if (pid) return pid;
      if (i >= 5 && processesWith(this.dataDir, 'postgres')?.length === 0) return undefined; // no /proc: wait the bound
      await sleep(50);
    }
    return postmasterPid(this.dataDir);
  }

  protected async doStop(mode: StopMode): Promise<void> {
    // Stopped before it was ready (a start that timed out at once): the postmaster may not have written its pid
    // file yet. Wait for it while a process of this data folder still exists, so none outlives the drill.
    const pid = postmasterPid(this.dataDir) ?? (await this.pendingPostmaster());
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
      if (pid && isAlive(pid) && mode === 'immediate' && (await signalled(pid, 'SIGQUIT'))) return;
      if (pid && isAlive(pid)) {
        const first = await pgCtl(mode);
        if (first.exitCode !== 0 && mode !== 'immediate' && isAlive(pid)) await pgCtl('immediate');
      }
    } finally {
      if (pid) {
        for (let i = 0; i < 50 && isAlive(pid); i++) {
          if (i === 20) process.kill(pid, 'SIGKILL');
          await sleep(20);
        }
        livePostmasters.delete(pid);
      }
      if (existsSync(this.logFile)) writeFileSync(path.join(this.ctx.logDir, `${this.name}-server.log`), this.ctx.runner.redact(readFileSync(this.logFile, 'utf8')));
    }
  }
}

/**
 * SIGQUIT is PostgreSQL's immediate shutdown (what pg_ctl -m immediate sends): the postmaster ends its backends
 * and exits. Waiting on the pid at 5 ms beats pg_ctl's 100 ms polling. False when the signal cannot be sent or the
 * postmaster is still there after 5 s: pg_ctl then takes over.
 */
async function signalled(pid: number, signal: NodeJS.Signals): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch {
    return false;
  }
  for (let i = 0; i < 1000; i++) {
    if (!isAlive(pid)) return true;
    await sleep(5);
  }
  return false;
}
