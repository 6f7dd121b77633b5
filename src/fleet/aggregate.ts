// `pgdrill aggregate`: the shards of one fleet run (each its own output folder, e.g. CI artifacts) become one run
// in one output folder: every drill's folder under a new run id, one summary, the shards' own signed manifests
// kept as evidence, and one new manifest that continues the output folder's chain (pull the store first, push
// after). Then coverage over the whole history: which drills passed within the window, which are stale, which
// never ran.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST, SIGNATURE, writeManifest, type Manifest } from '../evidence/manifest.js';
import type { Signer } from '../evidence/signing.js';
import { isRunFolder } from '../evidence/verify-evidence.js';
import { UsageError } from '../errors.js';
import { statusExit, worstExit } from '../model/exit-codes.js';
import { resultSchema, summarySchema, RESULT_SCHEMA_VERSION, type DrillResult, type RunSummary } from '../model/result-schema.js';
import { writeIndex } from '../report/index-page.js';
import { writeSummary } from '../report/write-results.js';
import { newRunId } from '../runner/run-id.js';
import { coverage, type Coverage } from './coverage.js';

export interface AggregateOutcome {
  runId: string;
  runDir: string;
  shards: string[];
  summary: RunSummary;
  coverage: Coverage;
  exitCode: number;
}


export function aggregate(inputs: readonly string[], opts: { out: string; expected?: readonly string[] | undefined; withinMs?: number | undefined; signer?: Signer | undefined; now?: Date }): AggregateOutcome {
  const shardRuns = inputs.flatMap((input) => {
    if (!existsSync(input)) throw new UsageError(`${input} not found`, 'pass the output folders (or run folders) the shards wrote');
    if (isRunFolder(input) && existsSync(path.join(input, 'summary.json'))) return [path.resolve(input)];
    return readdirSync(input)
      .map((d) => path.resolve(input, d))
      .filter((d) => isRunFolder(d) && existsSync(path.join(d, 'summary.json')))
      .sort();
  });
  if (shardRuns.length === 0) throw new UsageError(`no run folders in ${inputs.join(', ')}`, 'pass the --out folders of the shard runs');
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const outDir = path.resolve(opts.out);
  const runDir = path.join(outDir, runId);
  mkdirSync(path.join(runDir, 'evidence', 'shards'), { recursive: true });

  const summaries = shardRuns.map((d) => summarySchema.parse(JSON.parse(readFileSync(path.join(d, 'summary.json'), 'utf8'))));
  const results: DrillResult[] = [];
  const entries: RunSummary['drills'] = [];
  const drills: Array<{ name: string; file: string; text: string }> = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const [i, shardDir] of shardRuns.entries()) {
    const shardId = path.basename(shardDir);
    // The shard's own signed manifest stays with the run: its signature is the shard machine's evidence.
    if (existsSync(path.join(shardDir, MANIFEST))) {
      copyFileSync(path.join(shardDir, MANIFEST), path.join(runDir, 'evidence', 'shards', `${shardId}.manifest.json`));
      if (existsSync(path.join(shardDir, SIGNATURE))) copyFileSync(path.join(shardDir, SIGNATURE), path.join(runDir, 'evidence', 'shards', `${shardId}.manifest.sig`));
      const m = JSON.parse(readFileSync(path.join(shardDir, MANIFEST), 'utf8')) as Manifest;
      drills.push(...m.drills.map((d) => ({ name: d.name, file: d.file, text: d.content })));
    }
    for (const entry of summaries[i]?.drills ?? []) {
      const slug = path.basename(path.dirname(entry.result));
      if (seen.has(entry.drill)) {
        warnings.push(`${entry.drill} ran in more than one shard (again in ${shardId}); the first is kept`);
        continue;
      }
      seen.add(entry.drill);
      cpSync(path.join(shardDir, slug), path.join(runDir, slug), { recursive: true });
      const result = resultSchema.parse(JSON.parse(readFileSync(path.join(runDir, slug, 'result.json'), 'utf8')));
      results.push(result);
      entries.push({ ...entry, result: path.join(runDir, slug, 'result.json'), report: path.join(runDir, slug, 'report.html') });
    }
    warnings.push(...(summaries[i]?.warnings ?? []).map((w) => `${shardId}: ${w}`));
  }
  const cov = coverage(outDir, { expected: opts.expected, withinMs: opts.withinMs, now: opts.now ?? startedAt });
  const codes = [...results.map((r) => r.exitCode ?? statusExit(r.status)), ...summaries.map((s) => s.exitCode)];
  // Judged when there is a window to judge by (--within, or a drill's validateEvery) or a list to cover.
  if (cov.stale.length > 0 || (cov.never.length > 0 && (opts.withinMs !== undefined || opts.expected !== undefined))) codes.push(1);
  const summary: RunSummary = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId,
    startedAt: summaries.map((s) => s.startedAt).sort()[0] ?? startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    exitCode: worstExit(codes),
    drills: entries,
    warnings,
  };
  writeSummary(runDir, summary);
  writeIndex(outDir);
  writeManifest(runDir, { runId, startedAt: summary.startedAt, endedAt: summary.endedAt, drills, results, signer: opts.signer });
  return { runId, runDir, shards: shardRuns.map((d) => path.basename(d)), summary, coverage: cov, exitCode: summary.exitCode };
}
