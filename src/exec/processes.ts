// Which processes run with a given text in their command line (Linux /proc; elsewhere the answer is unknown).
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
