// The `run` command as a library function: load every drill (all problems at once, nothing started on any),
// run them one after the other into <out>/<run-id>/, write summary.json. The CLI is a thin wrapper.
import { accessSync, constants, mkdirSync } from 'node:fs';
import os from 'node:os';
import { EnvironmentError } from '../errors.js';
import { sweepOrphans } from './session/work-folders.js';
import path from 'node:path';
import { loadDrills } from '../drill/loader.js';
import { isSourceDrill, type AnyDrill } from '../drill/drill.js';
import { resolveServerUser } from '../exec/os-user.js';
import { localProvider, placeDrill, type Placement, type ProviderChoice } from '../providers/registry.js';
import { runInContainer } from './run-in-container.js';
import { containerInputs, type ContainerInputs } from './container-inputs.js';
import { cleanupEngine } from '../providers/docker/engine.js';
import type { DrillOverrides } from '../drill/drill.js';
import { RESULT_SCHEMA_VERSION, type DrillResult, type RunSummary } from '../model/result-schema.js';
import { writeDrillFiles, writeResultFile, writeSummary } from '../report/write-results.js';
import type { PhaseListener } from './timeline.js';
import { runDrill } from './run-drill.js';
import { interruptedBy } from './conclude.js';
import { publishRun } from './publish-run.js';
import type { RunOutput } from '../model/run-output.js';
import { historyPage } from '../report/outputs.js';
import { sealRun } from '../evidence/seal-run.js';
import type { Signer } from '../evidence/signing.js';
import { newRunId } from './run-id.js';
import { drillSlug } from '../drill/slug.js';
import { signalExit, worstExit } from '../model/exit-codes.js';

export interface RunDrillsOptions {
  out: string;
  provider?: ProviderChoice;
  /** Which backup of every pgBackRest or Barman source (latest, oldest, random, a label). */
  backup?: string;
  /** Validate the drills with these overrides (the docker provider's run inside its container), instead of provider and backup. */
  overrides?: DrillOverrides;
  signal: AbortSignal;
  workRoot?: string;
  /** Called before each drill; returns the listener for its phases. */
  onDrill?: (name: string, index: number, total: number) => PhaseListener | undefined;
  onDrillDone?: (result: DrillResult, reportFile: string) => void;
  /** Where the finished run is published (the CLI chooses); default: the history page only. */
  outputs?: readonly RunOutput[];
  /** Drills run at once (default 1). */
  concurrency?: number;
  /** The disposable instances' superuser password; generated per drill when not given. */
  password?: string;
  /** Signs evidence/manifest.json (Ed25519); unsigned evidence is still hashed and chained. */
  signer?: Signer | undefined;
  /** Warnings for people (stderr); they are also kept in summary.json. */
  onWarning?: (text: string) => void;
  /**
   * The run inside the docker provider's container: each drill's result.json and logs/, and summary.json; no report,
   * outputs or evidence, which the host writes from the result it copies out (they would be thrown away with the container).
   */
  resultsOnly?: boolean;
  /** run --shard i/N: recorded in summary.json, for pgdrill aggregate. */
  shard?: { index: number; of: number };
}

export interface RunDrillsOutcome {
  summary: RunSummary;
  summaryFile: string;
  runDir: string;
  exitCode: number;
  results: DrillResult[];
  /** Each drill's own exit code, in the order of the results. */
  drillExitCodes: number[];
}


/** The output folder must be writable before anything starts (exit 3 with the fix, not a stack trace). */
function makeOutputFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new EnvironmentError(`cannot write the output folder ${dir}: ${(error as Error).message}`, 'choose a writable folder with --out, or fix its permissions', { cause: error });
  }
}

/** Removes what killed runs left in the work root (only runs that are gone), and says so. */
function sweepWarningsFor(root: string): string[] {
  const swept = sweepOrphans([root]);
  return swept.folders.map((f) => `removed ${f}, left by a pgdrill run that was killed${swept.processes.length ? ` (and ${swept.processes.length} process(es) of it)` : ''}`);
}

export async function runDrills(files: string[], opts: RunDrillsOptions): Promise<RunDrillsOutcome> {
  // Validated as they will run: a --provider on the command line is checked like the file's own.
  const flags = [opts.provider ? `--provider ${opts.provider}` : '', opts.backup ? `--backup ${opts.backup}` : ''].filter(Boolean).join(' ');
  const drills = loadDrills(files, opts.overrides ?? (flags ? { provider: opts.provider, backup: opts.backup, by: `${flags} on the command line` } : undefined));
  return runLoadedDrills(drills, opts);
}

/** The run loop: drills already validated as they will run (`run`, and `compare` with one variant per method). */
export async function runLoadedDrills(drills: AnyDrill[], opts: RunDrillsOptions): Promise<RunDrillsOutcome> {
  const placements = await Promise.all(drills.map((d) => placeDrill(opts.provider ?? d.provider, isSourceDrill(d) ? undefined : d.postgres.image)));
  // The server user matters only for drills run here; a drill of an existing backup picks binaries of the backup's
  // major version once it has read the backup.
  const serverUser = placements.some((p) => p.where === 'local') ? resolveServerUser() : undefined;
  const providers = drills.map((d, i) => {
    const p = placements[i] as Placement;
    return p.where === 'local' && !isSourceDrill(d) ? localProvider(p) : undefined;
  });
  // Binaries, engine or image missing: exit 3 before anything starts.
  // What a drill in a container would mount or copy in, read now: unreadable is exit 3 before anything starts.
  const inputs = drills.map((d, i) => ((placements[i] as Placement).where === 'docker' ? containerInputs(d) : undefined));
  for (const [i, p] of placements.entries()) await (p.where === 'docker' ? p.sandbox.describe() : providers[i]?.describe());

  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const runDir = path.resolve(opts.out, runId);
  makeOutputFolder(runDir);
  const sweepWarnings = sweepWarningsFor(opts.workRoot ?? os.tmpdir());
  // Containers and networks of killed docker runs, as the folders of killed local runs.
  if (placements.some((p) => p.where === 'docker')) sweepWarnings.push(...(await cleanupEngine()).removed.map((r) => `removed ${r}, left by a pgdrill run that was killed`));
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? 1, drills.length));
  const slots: Array<{ result: DrillResult; exitCode: number; resultFile: string; reportFile: string } | undefined> = [];
  let next = 0;
  // A small pool: each worker takes the next drill; ports and folders are per drill, so drills never collide.
  const worker = async () => {
    for (let i = next++; i < drills.length; i = next++) {
      if (opts.signal.aborted) return;
      const drill = drills[i] as AnyDrill;
      const drillDir = path.join(runDir, drillSlug(drill.name));
      makeOutputFolder(drillDir);
      const listener = opts.onDrill?.(drill.name, i, drills.length);
      const common = { runId, drillDir, signal: opts.signal, signingKeyFingerprint: opts.signer?.fingerprint ?? null, ...(listener ? { listener } : {}), ...(opts.workRoot ? { workRoot: opts.workRoot } : {}) };
      const placement = placements[i] as Placement;
      const { result, exitCode } =
        placement.where === 'docker'
          ? await runInContainer(drill, placement.sandbox, inputs[i] as ContainerInputs, { runId, drillDir, signal: opts.signal, listener })
          : await runDrill(drill, {
              ...common,
              provider: isSourceDrill(drill) ? undefined : (providers[i] ?? localProvider(placement)),
              serverUser,
              ...(opts.password ? { password: opts.password } : {}),
            });
      const files = opts.resultsOnly ? { resultFile: writeResultFile(drillDir, result), reportFile: '' } : await writeDrillFiles(drillDir, result);
      opts.onDrillDone?.(result, files.reportFile);
      slots[i] = { result, exitCode, ...files };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const done = slots.filter((s): s is NonNullable<typeof s> => s !== undefined);
  const results = done.map((s) => s.result);
  const codes = done.map((s) => s.exitCode);
  const entries: RunSummary['drills'] = done.map(({ result, resultFile, reportFile }) => ({
    drill: result.drill.name,
    status: result.status,
    verdict: result.verdict,
    rtoSeconds: result.measured.rtoSeconds,
    rpoSeconds: result.measured.rpoSeconds,
    objectives: result.objectives,
    result: resultFile,
    report: reportFile,
  }));
  if (opts.signal.aborted) codes.push(signalExit(interruptedBy(opts.signal)));
  const exitCode = worstExit(codes);
  const warnings = [...sweepWarnings, ...results.flatMap((r) => (r.warnings ?? []).map((w) => `${r.drill.name}: ${w}`))];
  if (!opts.resultsOnly) warnings.push(...(await publishRun({ runId, runDir, outDir: path.resolve(opts.out), results }, opts.outputs ?? [historyPage()])));
  for (const w of warnings) opts.onWarning?.(w);
  const summary: RunSummary = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    exitCode,
    drills: entries,
    ...(opts.shard ? { shard: opts.shard } : {}),
    warnings,
    process: { peakRssBytes: process.resourceUsage().maxRSS * 1024, concurrency },
  };
  const summaryFile = writeSummary(runDir, summary);
  // Evidence last: it hashes every file the run wrote.
  if (!opts.resultsOnly) sealRun(runDir, { runId, startedAt: summary.startedAt, endedAt: summary.endedAt, drills, results, signer: opts.signer });
  return { summary, summaryFile, runDir, exitCode, results, drillExitCodes: codes.slice(0, results.length) };
}
