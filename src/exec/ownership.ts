// Who owns a work folder or a container: the pgdrill process (host, pid and its start time) that created it.
// `pgdrill cleanup` and the sweep at the start of every run remove only what belongs to processes that are gone,
// so a cleanup never touches a drill that is still running (another CI job on the same machine).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const OWNER_FILE = 'pgdrill-owner.json';

export interface Owner {
  host: string;
  pid: number;
  /** Process start time (Linux: clock ticks since boot, /proc/PID/stat field 22), so a reused pid is not "alive". */
  start: string;
  runId?: string;
}

/** Start time of a process, or '' where /proc is not available (macOS). */
export function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

export function currentOwner(runId?: string): Owner {
  return { host: os.hostname(), pid: process.pid, start: processStart(process.pid), ...(runId ? { runId } : {}) };
}

/** `host:pid:start`, for container labels. */
export function ownerLabel(owner: Owner): string {
  return `${owner.host}:${owner.pid}:${owner.start}`;
}

export function parseOwnerLabel(label: string | undefined): Owner | undefined {
  const m = /^(.*):(\d+):(\d*)$/.exec(label ?? '');
  return m ? { host: m[1] ?? '', pid: Number(m[2]), start: m[3] ?? '' } : undefined;
}

/** True while the owning process runs. An owner on another host is treated as alive: it cannot be checked from here. */
export function ownerAlive(owner: Owner): boolean {
  if (owner.host !== os.hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const start = processStart(owner.pid);
  return !owner.start || !start || start === owner.start;
}

export function writeOwnerFile(workDir: string, owner: Owner): void {
  writeFileSync(path.join(workDir, OWNER_FILE), `${JSON.stringify(owner)}\n`, { mode: 0o644 });
}

export function readOwnerFile(workDir: string): Owner | undefined {
  const file = path.join(workDir, OWNER_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}
