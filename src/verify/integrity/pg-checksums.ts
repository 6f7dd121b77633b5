// pg_checksums --check over a cleanly stopped copy: every block of every data file, including the ones no
// table scan reaches (free space maps, visibility maps, indexes, unlogged init forks). Runs as the server's
// OS user; a file it flags is named after the relation it belongs to (read from the catalog before the stop).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandRunner } from '../../exec/command-runner.js';
import type { IntegrityFinding } from './integrity-finding.js';

export interface ChecksumsOutcome {
  ran: boolean;
  /** Why it did not run (data checksums off, no pg_checksums with these binaries), or its summary. */
  detail: string;
  findings: IntegrityFinding[];
  seconds: number;
  blocksScanned?: number;
}

// pg_checksums: error: checksum verification failed in file "/d/base/5/16384", block 1: calculated checksum 8F1 but block contains 3C
const FAILED = /checksum verification failed in file "([^"]+)", block (\d+): (.*)$/;

// pg_checksums --progress: "1234/4567 MB (27%) computed", a line a second when stderr is not a terminal.
const PROGRESS = /(\d+)\/(\d+) MB \(\d+%\) computed/g;

/** The last progress report in a piece of pg_checksums' stderr, in bytes. */
function reportedProgress(text: string, into: { done: number; total: number }): void {
  const last = [...text.matchAll(PROGRESS)].at(-1);
  if (!last) return;
  into.done = Number(last[1]) * 1024 * 1024;
  into.total = Number(last[2]) * 1024 * 1024;
}

/** Whether pg_checksums is there (a bare name is looked up on PATH when it runs). */
export function pgChecksumsAt(tool: string): boolean {
  return !path.isAbsolute(tool) || existsSync(tool);
}

export async function runPgChecksums(input: {
  tool: string;
  dataDir: string;
  runner: CommandRunner;
  /** Data file (relative to the data folder) -> "database: relation". */
  files: Map<string, string>;
  /** Bytes checked so far against the total, from pg_checksums' own --progress report (once a second). */
  progress?: { done: number; total: number };
}): Promise<ChecksumsOutcome> {
  const started = performance.now();
  if (!pgChecksumsAt(input.tool)) {
    return { ran: false, detail: `not run: no pg_checksums at ${input.tool} (the server binaries of this major ship without it; install the full PostgreSQL package to check every block)`, findings: [], seconds: 0 };
  }
  const progress = input.progress;
  const run = await input.runner.run(input.tool, ['--check', ...(progress ? ['--progress'] : []), '-D', input.dataDir], {
    label: 'pg_checksums-integrity',
    asServerUser: true,
    allowFailure: true,
    ...(progress ? { onStderr: (text: string) => reportedProgress(text, progress) } : {}),
  });
  const findings: IntegrityFinding[] = [];
  for (const line of `${run.stdout}\n${run.stderr}`.split('\n')) {
    const m = FAILED.exec(line);
    if (!m) continue;
    const rel = path.relative(input.dataDir, m[1] ?? '').replace(/\.\d+$/, ''); // segment files: base/5/16384.1
    const owner = input.files.get(rel);
    const [database, relation] = owner ? [owner.slice(0, owner.indexOf(': ')), owner.slice(owner.indexOf(': ') + 2)] : ['', rel];
    findings.push({ tool: 'pg_checksums', database, relation, block: Number(m[2]), message: `${m[3] ?? ''} (file ${rel})` });
  }
  const scanned = /Blocks scanned:\s+(\d+)/.exec(run.stdout);
  const seconds = (performance.now() - started) / 1000;
  if (run.exitCode !== 0 && findings.length === 0) {
    const tail = `${run.stderr}`.trim().split('\n').slice(-2).join(' | ');
    return { ran: true, detail: `pg_checksums exit ${run.exitCode}: ${tail}`, findings: [{ tool: 'pg_checksums', database: '', relation: '', block: null, message: tail }], seconds };
  }
  return {
    ran: true,
    detail: findings.length === 0 ? `every block's checksum matches${scanned ? ` (${scanned[1]} blocks)` : ''}` : `${findings.length} block(s) with a wrong checksum`,
    findings,
    seconds,
    ...(scanned ? { blocksScanned: Number(scanned[1]) } : {}),
  };
}
