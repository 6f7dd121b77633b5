// `pgdrill compare`: the same drill (workload, incident, checks) once per backup method, then one table of
// measured numbers read back from each run's own result.json: backup time and size, RTO with its restore /
// replay / verify split, RPO, lost transactions, checks, verdict. Methods without WAL (pg_dump, a base backup
// alone) recover to the backup itself, which is what the table shows them costing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSourceDrill, type Drill } from '../drill/drill.js';
import type { DrillOverrides } from '../drill/drill.js';
import { inspectDrill, loadDrill } from '../drill/loader.js';
import { backupMethodNames, methodFacts } from '../tools/registry.js';
import { DrillConfigError, UsageError, type ConfigProblem } from '../errors.js';
import type { ProviderChoice } from '../providers/registry.js';
import { resultSchema } from '../model/result-schema.js';
import { EXIT, signalExit, worstExit } from '../model/exit-codes.js';
import { objectiveMet } from '../model/judge.js';
import type { RunOutput } from '../model/run-output.js';
import { interruptedBy } from '../runner/conclude.js';
import { runLoadedDrills } from '../runner/run-drills.js';
import { drillSlug } from '../drill/slug.js';
import type { PhaseListener } from '../runner/timeline.js';
import type { Comparison, ComparisonRow } from './comparison.js';
import { renderComparison, comparisonMarkdown } from './comparison-report.js';
import type { Signer } from '../evidence/signing.js';

export function parseMethods(list: string): string[] {
  const methods = list.split(',').map((m) => m.trim()).filter(Boolean);
  const unknown = methods.filter((m) => !backupMethodNames().includes(m));
  if (methods.length === 0 || unknown.length > 0) {
    throw new UsageError(`unknown backup method(s): ${unknown.join(', ') || '(none given)'}`, `choose from ${backupMethodNames().join(', ')}`);
  }
  return [...new Set(methods)];
}

/**
 * The drill as run for one method, validated as it will run (the same rules as a drill file: an incident that
 * cannot damage that method's backup is refused, exit 2): same everything, but the method, and the backup
 * itself as the target for methods without WAL.
 */
export function drillsForMethods(file: string, methods: string[], provider: ProviderChoice | undefined): Drill[] {
  const problems: ConfigProblem[] = [];
  const drills: Drill[] = [];
  for (const method of methods) {
    const { drill, problems: found } = inspectDrill(file, overridesFor(method, provider));
    problems.push(...found);
    if (drill && !isSourceDrill(drill)) drills.push({ ...drill, name: `${drill.name} (${method})` });
  }
  if (problems.length > 0) throw new DrillConfigError(problems);
  return drills;
}

/** What compare changes in the drill for one method. */
function overridesFor(method: string, provider: ProviderChoice | undefined): DrillOverrides {
  return {
    method,
    ...(methodFacts(method)?.pointInTime === false ? { target: 'immediate' as const } : {}),
    ...(provider ? { provider } : {}),
    by: `compare --methods ${method}`,
  };
}

/** One row, from a result.json file as written (so the table can be checked against the runs). */
export function comparisonRow(resultFile: string): ComparisonRow {
  const r = resultSchema.parse(JSON.parse(readFileSync(resultFile, 'utf8')));
  const phase = (...names: string[]) => {
    const found = r.phases.filter((p) => names.includes(p.name));
    return found.length ? found.reduce((s, p) => s + p.seconds, 0) : null;
  };
  return {
    method: r.environment.backupMethod,
    status: r.status,
    verdict: r.verdict,
    backupSeconds: r.backup?.seconds ?? null,
    backupBytes: r.backup?.sizeBytes ?? null,
    rtoSeconds: r.measured.rtoSeconds,
    restoreSeconds: phase('archive-wal', 'restore-files'),
    replaySeconds: phase('wal-replay', 'logical-restore'),
    verifySeconds: phase('verify'),
    rpoSeconds: r.measured.rpoSeconds,
    rpoLowerBound: r.measured.rpoLowerBound,
    lostTransactions: r.measured.lostMarkers,
    checksPassed: r.checks.filter((c) => c.status === 'passed').length,
    checksTotal: r.checks.length,
    objectivesMet: {
      rto: objectiveMet(r, 'rto'),
      rpo: objectiveMet(r, 'rpo'),
    },
    target: r.recovery.resolved ?? r.recovery.target,
    toolVersion: Object.values(r.environment.toolVersions)[0] ?? '',
    result: resultFile,
  };
}

/**
 * Runs the drill once per method through the same run loop as `pgdrill run` (one variant per method, validated
 * as it will run), then builds the table from each run's own result.json as a run output, so the comparison is
 * covered by the run's evidence like every other file.
 */
export async function compareMethods(
  file: string,
  methods: string[],
  opts: { out: string; signal: AbortSignal; provider?: ProviderChoice; workRoot?: string; signer?: Signer | undefined; onMethod?: (method: string, i: number, n: number) => PhaseListener | undefined; onDone?: (row: ComparisonRow) => void; onDiagnosis?: (text: string) => void },
): Promise<{ comparison: Comparison; runDir: string; files: { json: string; html: string; markdown: string }; exitCode: number }> {
  const variants = drillsForMethods(file, methods, opts.provider);
  // The drill as written, read the way the variants are (a file may carry options for several methods).
  const drill = loadDrill(file, overridesFor(methods[0] ?? '', opts.provider));
  let made: { comparison: Comparison; files: { json: string; html: string; markdown: string } } | undefined;
  const comparisonOutput: RunOutput = {
    name: 'comparison.html, comparison.json and comparison.md',
    publish: ({ runId, runDir }) => {
      made = writeComparison(drill, runId, runDir, variants);
      return [];
    },
  };
  const outcome = await runLoadedDrills(variants, {
    out: opts.out,
    signal: opts.signal,
    // One provider for every method, so the numbers compare like with like (auto means local here).
    provider: opts.provider ?? (drill.provider === 'auto' ? 'local' : drill.provider),
    signer: opts.signer,
    outputs: [comparisonOutput],
    ...(opts.workRoot ? { workRoot: opts.workRoot } : {}),
    onDrill: (_name, i, n) => opts.onMethod?.(methods[i] ?? '', i, n),
    onDrillDone: (result, reportFile) => {
      opts.onDone?.(comparisonRow(path.join(path.dirname(reportFile), 'result.json')));
      if (result.status !== 'passed' && result.diagnosis) opts.onDiagnosis?.(result.diagnosis);
    },
  });
  if (!made) throw new Error('the comparison was not written');
  // Every method that produced a result counts, passed or failed: only errors and interruptions fail compare.
  const codes = outcome.results.map((r, i) => (r.status === 'error' ? (outcome.drillExitCodes[i] ?? EXIT.failed) : EXIT.passed));
  if (opts.signal.aborted) codes.push(signalExit(interruptedBy(opts.signal)));
  return { ...made, runDir: outcome.runDir, exitCode: worstExit(codes) };
}

function writeComparison(drill: Drill, runId: string, runDir: string, variants: Drill[]): { comparison: Comparison; files: { json: string; html: string; markdown: string } } {
  const rows = variants.map((v) => path.join(runDir, drillSlug(v.name), 'result.json')).filter((f) => existsSync(f)).map(comparisonRow);
  const comparison: Comparison = {
    drill: drill.name,
    runId,
    createdAt: new Date().toISOString(),
    objectives: { rtoSeconds: drill.objectives.rto / 1000, rpoSeconds: drill.objectives.rpo / 1000 },
    rows,
  };
  const files = { json: path.join(runDir, 'comparison.json'), html: path.join(runDir, 'comparison.html'), markdown: path.join(runDir, 'comparison.md') };
  writeFileSync(files.json, `${JSON.stringify(comparison, null, 2)}\n`);
  writeFileSync(files.markdown, comparisonMarkdown(comparison));
  writeFileSync(files.html, renderComparison(comparison, runDir));
  return { comparison, files };
}
