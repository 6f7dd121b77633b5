// Event-driven readiness: follow the server log (tens of ms between reads, no queries that would compete with
// the startup process during WAL replay) and watch the postmaster, with an explicit deadline.
// pg_ctl start -w is not used: during archive recovery it returns as soon as hot-standby connections are
// accepted, before the target is reached (docs/postgres-facts.md #2).
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError, InterruptedError, RecoveryFailedError, TimeoutError } from '../errors.js';
import { tail } from '../exec/command-runner.js';
import { LogFollower } from '../exec/log-follower.js';

const POLL_MS = 10;
const READY = /database system is ready to accept connections/;
const TARGET_NOT_REACHED = /FATAL:\s+recovery ended before configured recovery target was reached/;
const BIND_FAILED = /could not bind IPv4 address|could not create any TCP\/IP sockets/;

export interface ReadyEvent {
  /** Server log timestamp of the "ready to accept connections" line (database clock), ISO. */
  logTimestamp?: string;
  /** When pgdrill saw it (runner wall clock), ISO. */
  detectedAt: string;
  /** Detection latency in seconds: detectedAt - logTimestamp (can be slightly negative across clocks). */
  latencySeconds?: number;
  /** Seconds from the start command to readiness (monotonic). */
  waitedSeconds: number;
}

/** Parses the `%m` log_line_prefix timestamp pgdrill configures: 2026-11-23 19:40:01.123 UTC. */
export function logLineTime(line: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) UTC/.exec(line);
  return m ? new Date(`${m[1]}T${m[2]}Z`) : undefined;
}

export function fileSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

export function postmasterPid(dataDir: string): number | undefined {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** True while the process exists and is not a zombie (in containers, PID 1 may never reap it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/**
 * Waits until the server logs that it accepts read-write connections (after promotion, for a restore).
 * Fails fast when the postmaster dies, when recovery ends before its target, or at the deadline; every error
 * names what was awaited and shows the end of the server log.
 */
export async function waitUntilReady(opts: {
  name: string;
  dataDir: string;
  logFile: string;
  deadlineMs: number;
  signal: AbortSignal;
  startedAt: number;
  /** Where in the log this start begins (a restart appends to the same file). */
  logOffset?: number;
  /** Liveness when the postmaster's pid is not a host pid (containers); checked every 250 ms. */
  alive?: () => Promise<boolean>;
}): Promise<ReadyEvent> {
  const follower = new LogFollower(opts.logFile, opts.logOffset ?? 0);
  const deadline = opts.startedAt + opts.deadlineMs;
  let pid: number | undefined;
  let lastAliveCheck = performance.now();
  const logTail = () => (existsSync(opts.logFile) ? tail(readFileSync(opts.logFile, 'utf8'), 20) : '(no server log)');
  const targetNotReached = () =>
    new RecoveryFailedError(
      `${opts.name}: recovery ended before the configured recovery target was reached; the server shut down`,
      logTail(),
      'the WAL archive does not contain the target: a segment is missing or was never archived (run pg_switch_wal() after the incident)',
    );

  for (;;) {
    if (opts.signal.aborted) throw new InterruptedError();
    for (const line of follower.newLines()) {
      if (READY.test(line)) {
        const detected = new Date();
        const logTime = logLineTime(line);
        return {
          detectedAt: detected.toISOString(),
          waitedSeconds: (performance.now() - opts.startedAt) / 1000,
          ...(logTime
            ? { logTimestamp: logTime.toISOString(), latencySeconds: (detected.getTime() - logTime.getTime()) / 1000 }
            : {}),
        };
      }
      if (TARGET_NOT_REACHED.test(line)) throw targetNotReached();
    }
    let gone: boolean;
    if (opts.alive) {
      gone = performance.now() - lastAliveCheck > 250 ? ((lastAliveCheck = performance.now()), !(await opts.alive())) : false;
    } else {
      pid ??= postmasterPid(opts.dataDir);
      gone = pid !== undefined ? !isAlive(pid) : performance.now() - opts.startedAt > 5000;
    }
    if (gone) {
      await sleep(POLL_MS * 5); // let the last log lines land
      if (follower.newLines().some((line) => TARGET_NOT_REACHED.test(line))) throw targetNotReached();
      const log = logTail();
      if (BIND_FAILED.test(log)) {
        throw new EnvironmentError(`${opts.name}: the server could not listen on its port\n${log}`, 'another process took the port; run again');
      }
      throw new RecoveryFailedError(`${opts.name}: the server exited before it accepted connections`, log);
    }
    if (performance.now() > deadline) {
      throw new TimeoutError(
        `${opts.name}: not ready to accept read-write connections after ${(opts.deadlineMs / 1000).toFixed(0)}s ` +
          `(waited for "database system is ready to accept connections" in ${opts.logFile})\n${logTail()}`,
        'raise recovery.timeout in the drill file if WAL replay legitimately takes longer',
      );
    }
    await sleep(POLL_MS);
  }
}
