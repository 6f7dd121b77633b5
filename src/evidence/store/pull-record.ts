// An output folder filled by `pgdrill evidence pull` says so: which runs came from which store, and how many of
// each run's files (logs, command output) stayed there. Verification of the folder checks what is present and
// names what is not; the store holds the whole run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PULL_RECORD = '.pgdrill-store.json';

export interface PullRecord {
  store: string;
  pulledAt: string;
  /** Run id -> files of the run left in the store. */
  omitted: Record<string, number>;
}

export function readPullRecord(outDir: string): PullRecord | undefined {
  const file = path.join(outDir, PULL_RECORD);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PullRecord) : undefined;
}

export function writePullRecord(outDir: string, record: PullRecord): void {
  writeFileSync(path.join(outDir, PULL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
}
