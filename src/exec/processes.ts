// Which processes run with a given text in their command line, and what a process has read (Linux /proc;
// elsewhere the answer is unknown).
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Pids whose command line contains every one of `parts`; undefined where /proc does not exist (macOS). */
export function processesWith(...parts: string[]): number[] | undefined {
  if (!existsSync('/proc')) return undefined;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (parts.every((p) => cmd.includes(p))) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Bytes the process has read so far, from the page cache or the disk (/proc/<pid>/io rchar); undefined when unreadable. */
export function bytesReadByProcess(pid: number): number | undefined {
  try {
    const rchar = /^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1];
    return rchar === undefined ? undefined : Number(rchar);
  } catch {
    return undefined; // ended meanwhile, or not ours to read
  }
}
