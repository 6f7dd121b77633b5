// `pgdrill aggregate`: the shards of one fleet run (each its own output folder, e.g. CI artifacts) become one run
// in one output folder: every drill's folder under a new run id, one summary, the shards' own signed manifests
// kept as evidence, and one new manifest that continues the output folder's chain (pull the store first, push
// after). Then coverage over the whole history: which drills passed within the window, which are stale, which
// never ran.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST, SIGNATURE, type Manifest } from '../evidence/manifest.js';
import { sealRun } from '../evidence/seal-run.js';
import type { Signer } from '../evidence/signing.js';
import { isRunFolder, verifyEvidence } from '../evidence/verify-evidence.js';
import { DrillFinding, UsageError } from '../errors.js';
import { statusExit, worstExit } from '../model/exit-codes.js';
import { resultSchema, summarySchema, RESULT_SCHEMA_VERSION, type DrillResult, type RunSummary } from '../model/result-schema.js';
import { writeIndex } from '../report/index-page.js';
import { writeSummary } from '../report/write-results.js';
import { newRunId } from '../runner/run-id.js';
import { coverage, type Coverage } from './coverage.js';
import { readShardFile, SHARD_FILE, shardText, type Shard } from './shard.js';

export interface AggregateOutcome {
  runId: string;
  runDir: string;
  shards: string[];
  summary: RunSummary;
  coverage: Coverage;
  exitCode: number;
}


export interface AggregateOptions {
  out: string;
  expected?: readonly string[] | undefined;
  withinMs?: number | undefined;
  signer?: Signer | undefined;
  /** The key every shard must have signed with (--public-key; else the signing key's own). */
  publicKeyPem?: string | undefined;
  /** --shards N: the planned count (else the one the shards recorded). */
  shards?: number | undefined;
  now?: Date;
}

export function aggregate(inputs: readonly string[], opts: AggregateOptions): AggregateOutcome {
  const runsOf = (input: string) => {
    if (!existsSync(input)) throw new UsageError(`${input} not found`, 'pass the output folders (or run folders) the shards wrote');
    if (isRunFolder(input) && existsSync(path.join(input, 'summary.json'))) return [path.resolve(input)];
    return readdirSync(input)
      .map((d) => path.resolve(input, d))
      .filter((d) => isRunFolder(d) && existsSync(path.join(d, 'summary.json')))
      .sort();
  };
  const byInput = inputs.map((input) => ({ runs: runsOf(input), shard: readShardFile(input) }));
  const shardRuns = byInput.flatMap((i) => i.runs);
  // A shard counts as reported when it ran nothing, or wrote a summary: one that started and died has neither.
  const reported = byInput.flatMap((i) => (i.shard && (i.shard.drills.length === 0 || i.runs.length > 0) ? [i.shard] : []));
  if (shardRuns.length === 0 && reported.length === 0) throw new UsageError(`no run folders in ${inputs.join(', ')}`, 'pass the --out folders of the shard runs');
  refuseTampered(shardRuns, opts.publicKeyPem ?? opts.signer?.publicKeyPem);
  const summaries = shardRuns.map((d) => summarySchema.parse(JSON.parse(readFileSync(path.join(d, 'summary.json'), 'utf8'))));
  const missing = missingShards([...reported, ...summaries.flatMap((x) => (x.shard ? [x.shard] : []))], opts.shards);
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const outDir = path.resolve(opts.out);
  const runDir = path.join(outDir, runId);
  mkdirSync(path.join(runDir, 'evidence', 'shards'), { recursive: true });

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
      const from = summaries[i]?.shard;
      entries.push({ ...entry, result: path.join(runDir, slug, 'result.json'), report: path.join(runDir, slug, 'report.html'), fromShard: shardId, ...(from ? { shard: shardText(from) } : {}) });
    }
    warnings.push(...(summaries[i]?.warnings ?? []).map((w) => `${shardId}: ${w}`));
  }
  const cov = coverage(outDir, { expected: opts.expected, withinMs: opts.withinMs, now: opts.now ?? startedAt, ranIn: new Map(entries.flatMap((e) => (e.shard ? [[e.drill, e.shard] as const] : []))), missingShards: missing });
  const codes = [...results.map((r) => r.exitCode ?? statusExit(r.status)), ...summaries.map((s) => s.exitCode)];
  // Judged when there is a window to judge by (--within, or a drill's validateEvery) or a list to cover.
  if (cov.stale.length > 0 || cov.missing.length > 0 || missing.length > 0 || (cov.never.length > 0 && (opts.withinMs !== undefined || opts.expected !== undefined))) codes.push(1);
  if (missing.length > 0) warnings.push(`shard(s) ${missing.map(shardText).join(', ')} reported no summary (no ${SHARD_FILE} among the inputs, or its job died before its drills ended): their drills did not run in this fleet run`);
  const summary: RunSummary = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId,
    startedAt: summaries.map((s) => s.startedAt).sort()[0] ?? startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    exitCode: worstExit(codes),
    drills: entries,
    ...(missing.length > 0 ? { missingShards: missing.map(shardText) } : {}),
    warnings,
  };
  writeSummary(runDir, summary);
  writeIndex(outDir);
  sealRun(runDir, { runId, startedAt: summary.startedAt, endedAt: summary.endedAt, drills, results, signer: opts.signer });
  return { runId, runDir, shards: shardRuns.map((d) => path.basename(d)), summary, coverage: cov, exitCode: summary.exitCode };
}

/** Every shard run verified before anything is merged (its files, its signature): a changed one is refused. */
function refuseTampered(shardRuns: readonly string[], pinnedPem: string | undefined): void {
  for (const dir of shardRuns) {
    const v = verifyEvidence(dir, { publicKeyPem: pinnedPem });
    if (!existsSync(path.join(dir, MANIFEST))) v.problems.push('it has no evidence/manifest.json');
    if (v.problems.length > 0) {
      throw new DrillFinding(
        `shard run ${dir} does not verify, so nothing was merged: ${v.problems.join('; ')}`,
        `merge only what the shard machines wrote (their CI artifacts as uploaded)${pinnedPem ? ', signed with the key you pin' : ''}; run pgdrill evidence verify ${dir} to see it`,
      );
    }
  }
}

/** Planned shards with nothing among the inputs: the count is --shards, else what the shards recorded. */
function missingShards(seen: readonly Shard[], planned: number | undefined): Shard[] {
  const counts = [...new Set(seen.map((s) => s.of))];
  if (counts.length > 1 || (planned !== undefined && counts.some((c) => c !== planned))) {
    throw new UsageError(`the shards were planned differently: ${[...new Set(seen.map(shardText))].join(', ')}${planned !== undefined ? ` (--shards ${planned})` : ''}`, 'aggregate the shards of one pgdrill plan, with the same --shards N');
  }
  const of = planned ?? counts[0];
  if (of === undefined) return [];
  const have = new Set(seen.map((s) => s.index));
  return Array.from({ length: of }, (_, i) => ({ index: i + 1, of })).filter((s) => !have.has(s.index));
}
