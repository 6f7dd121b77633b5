// How every drill plan ends, whatever happened: why it stopped (interrupted, the machine's fault, a finding), the
// session disposed (failures become warnings), then the judge and the result.
import path from 'node:path';
import type { AnyDrill } from '../drill/drill.js';
import { readHistory } from '../report/history.js';
import { sizeSanity } from '../verify/size-sanity.js';
import { EnvironmentError, InterruptedError, RecoveryFailedError, StepFailedError } from '../errors.js';
import type { OsUser } from '../exec/os-user.js';
import type { DrillResult } from '../model/result-schema.js';
import { describeTarget, type RecoveryTarget } from '../pg/recovery-target.js';
import type { TargetConfirmation } from '../verify/confirm-target.js';
import { assembleResult } from './assemble-result.js';
import type { DrillOutcome } from './outcome.js';
import type { DrillSession } from './session/drill-session.js';
import type { Timeline } from './timeline.js';

/** Records why a plan stopped early. */
export function recordFailure(outcome: DrillOutcome, error: unknown, signal: AbortSignal): void {
  outcome.error = signal.aborted ? new InterruptedError(interruptedBy(signal)) : asEnvironmentProblem(error);
  const r = outcome.recovery;
  if (r.target && !r.confirmation) r.confirmation = failedConfirmation(r.target, error);
}

export function concludeDrill(
  drill: AnyDrill,
  opts: { runId: string; drillDir: string; signal: AbortSignal; serverUser: OsUser | undefined; signingKeyFingerprint?: string | null | undefined },
  run: { startedAt: Date; timeline: Timeline; outcome: DrillOutcome; session: DrillSession | undefined; method: string; detectedBy: readonly string[] },
): { result: DrillResult; exitCode: number } {
  compareWithHistory(drill, opts, run.outcome, run.method);
  const { result, exitCode } = assembleResult({
    drill,
    runId: opts.runId,
    startedAt: run.startedAt,
    timeline: run.timeline,
    outcome: run.outcome,
    method: run.method,
    commands: run.session?.runner.records ?? [],
    drillDir: opts.drillDir,
    serverUser: opts.serverUser,
    detectedBy: run.detectedBy,
    interruptedBy: opts.signal.aborted ? interruptedBy(opts.signal) : undefined,
  });
  if (opts.signingKeyFingerprint !== undefined) result.evidence = { signingKeyFingerprint: opts.signingKeyFingerprint };
  return { result, exitCode };
}

/**
 * Sizes against the same drill's earlier runs in the output folder (<out>/<run>/<drill>), with the same backup
 * method (a drill moved from pg_dump to pgBackRest changes size for a reason). Only what this run measured is
 * compared; a run that never restored compares its backup size alone.
 */
function compareWithHistory(drill: AnyDrill, opts: { runId: string; drillDir: string }, outcome: DrillOutcome, method: string): void {
  const p = outcome.prologue;
  const backupBytes = (p.kind === 'self-contained' ? p.backup?.sizeBytes : p.source?.backup.sizeBytes) ?? null;
  const restoredBytes = outcome.recovery.integrity?.pass.restoredBytes ?? null;
  if (backupBytes === null && restoredBytes === null) return;
  const outDir = path.dirname(path.dirname(opts.drillDir));
  const earlier = readHistory(outDir)
    .entries.filter((e) => e.result.drill.name === drill.name && e.result.environment.backupMethod === method && e.result.runId !== opts.runId)
    .map((e) => e.result);
  outcome.sanity = sizeSanity(earlier, { backupBytes, restoredBytes }, drill.sanity);
}

/** The signal that interrupted the run (the CLI aborts with the signal's name as the reason). */
export function interruptedBy(signal: AbortSignal): 'SIGINT' | 'SIGTERM' {
  const reason = signal.reason as unknown;
  const text = reason instanceof Error ? reason.message : String(reason);
  return text.includes('SIGTERM') ? 'SIGTERM' : 'SIGINT';
}

/** A full disk or a folder pgdrill may not write is the machine's problem (exit 3), wherever it strikes. */
export function asEnvironmentProblem(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const text = error instanceof StepFailedError ? error.details.outputTail : '';
  if (code === 'ENOSPC' || /No space left on device|could not extend file|disk full/i.test(text)) {
    return new EnvironmentError(`the disk ran out of space: ${(error as Error).message.split('\n')[0]}`, 'free space, or pass --work-dir (PGDRILL_WORK_DIR) on a larger disk', { cause: error });
  }
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    return new EnvironmentError(`pgdrill may not write where it must: ${(error as Error).message}`, 'check the permissions of --work-dir and --out, or choose other folders', { cause: error });
  }
  return error;
}

export function failedConfirmation(target: RecoveryTarget, error: unknown): TargetConfirmation {
  const lines = error instanceof RecoveryFailedError ? error.logTail.split('\n').filter((l) => /FATAL|PANIC|recovery|redo/.test(l)) : [];
  return { reached: false, evidence: [...lines, `recovery to ${describeTarget(target)} did not complete`] };
}
