// How long replay waited for WAL: the restore_command is wrapped to log, per file, its exit code and the clock
// before and after (nanoseconds where `date +%s%N` has them). The wrapper never changes what the command does or
// returns; a clock it cannot read only leaves the line out of the sum. The sum shows a slow fetch (an object
// store, a remote repository) apart from replay itself. A segment pgdrill placed in pg_wal ahead of replay
// (runner/wal-prefetch.ts) is logged as `<file> 0 staged` before this wrapper would run: untimed, because timing
// (two `date` processes and a subshell, about 9 ms a segment here) costs more than reading it from pg_wal.
import { existsSync, readFileSync } from 'node:fs';
import type { PhysicalRestorePlan } from '../../tools/backup-method.js';

export interface WalFetch {
  /** Files restored (exit 0): segments and history files. */
  fetched: number;
  /** Requests the archive could not serve (exit non-zero: the end of the archive, or a file that is not there). */
  misses: number;
  /** Seconds spent in restore_command, every call included. */
  seconds: number;
  /** Of `fetched`, segments pgdrill had placed in pg_wal ahead of replay (runner/wal-prefetch.ts): read from there, not fetched. */
  staged?: number;
}

export function timedRestoreCommand(inner: string, logFile: string): string {
  const log = `'${logFile.replace(/'/g, `'\\''`)}'`;
  // A literal % is %% in restore_command (PostgreSQL 17 refuses an unknown %-escape such as %s).
  return `s=$(date +%%s%%N); ( ${inner} ); rc=$?; printf '%%s %%s %%s %%s\\n' "%f" "$rc" "$s" "$(date +%%s%%N)" >> ${log} 2>/dev/null; exit $rc`;
}

/**
 * The restore_command that answers "not in the archive" for a segment pgdrill placed in pg_wal (runner/wal-prefetch.ts,
 * marked in `stage`), so the server reads it from there, and logs it untimed; anything else runs `command`. Only
 * shell built-ins run for a placed segment (`[`, `printf`): no process. The restore_command runs in the data folder.
 */
export function withPlaced(command: string, stage: string, logFile: string): string {
  const q = (p: string) => `'${p.replace(/'/g, `'\\''`)}'`;
  return `[ -e ${q(`${stage}/%f`)} ] && [ -e 'pg_wal/%f' ] && { printf '%%s 0 staged\\n' "%f" >> ${q(logFile)} 2>/dev/null; exit 1; }; ${command}`;
}

/**
 * The restore_command the server runs: the plan's (set by pgdrill or written by the tool) in the timing wrapper,
 * behind the markers of segments placed ahead of replay.
 */
export function fetchCommand(plan: PhysicalRestorePlan, logFile: string, stage: string | undefined): string | undefined {
  const command = plan.settings['restore_command'] ?? plan.written?.['restore_command'];
  if (!command) return undefined;
  const timed = timedRestoreCommand(command, logFile);
  return stage ? withPlaced(timed, stage, logFile) : timed;
}

/** The timing log's figures; `staged` only when segments were staged ahead of replay. */
export function readWalFetch(logFile: string, staging = false): WalFetch | undefined {
  if (!existsSync(logFile)) return undefined;
  const out: WalFetch = { fetched: 0, misses: 0, seconds: 0, ...(staging ? { staged: 0 } : {}) };
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (/^\S+ 0 staged$/.test(line)) {
      out.fetched++;
      if (out.staged !== undefined) out.staged++;
      continue;
    }
    const m = /^(\S+) (\d+) (\d+) (\d+)$/.exec(line);
    if (!m) continue;
    if (m[2] === '0') out.fetched++;
    else out.misses++;
    out.seconds += Number(BigInt(m[4] as string) - BigInt(m[3] as string)) / 1e9;
  }
  return out;
}
