// The history of an output folder, read only from result.json files (so it can be rebuilt from archived CI
// artifacts): runs newest first, and per drill the series of measured RTO and RPO.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { resultSchema, type DrillResult } from '../model/result-schema.js';

export interface HistoryEntry {
  result: DrillResult;
  /** result.json's folder relative to the output folder. */
  folder: string;
}

export interface History {
  entries: HistoryEntry[];
  /** Files that were not valid result.json (named, never silently dropped). */
  skipped: string[];
}

export function readHistory(outDir: string): History {
  const entries: HistoryEntry[] = [];
  const skipped: string[] = [];
  if (!existsSync(outDir)) return { entries, skipped };
  for (const run of readdirSync(outDir)) {
    const runDir = path.join(outDir, run);
    if (!statSync(runDir).isDirectory()) continue;
    for (const drill of readdirSync(runDir)) {
      const file = path.join(runDir, drill, 'result.json');
      if (!existsSync(file)) continue;
      try {
        const result = resultSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
        entries.push({ result, folder: path.join(run, drill) });
      } catch {
        skipped.push(path.relative(outDir, file));
      }
    }
  }
  entries.sort((a, b) => b.result.startedAt.localeCompare(a.result.startedAt));
  return { entries, skipped };
}
