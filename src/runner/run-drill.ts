// One drill, top to bottom: its prologue (plans/self-contained.ts builds a primary, a backup and an incident;
// plans/existing.ts chooses the user's backup), then the one recovery every drill shares (recover.ts), then the
// judge and the result. Every instance and the work folder are removed on every path (session/drill-session.ts).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { isSourceDrill, type AnyDrill, type Drill } from '../drill/drill.js';
import type { OsUser } from '../exec/os-user.js';
import { createIncident, INCIDENT_FACTS } from '../incidents/registry.js';
import type { DrillResult } from '../model/result-schema.js';
import { generatePassword, LocalProvider } from '../providers/local/local-provider.js';
import type { Provider } from '../providers/provider.js';
import type { BackupMethod } from '../tools/backup-method.js';
import { backupMethod, createSource } from '../tools/registry.js';
import { readOnlyGuard } from '../exec/read-only.js';
import { prefetchPgBinaries } from '../providers/local/pg-binaries.js';
import { concludeDrill, recordFailure } from './conclude.js';
import { newOutcome } from './outcome.js';
import { existingPrologue } from './plans/existing.js';
import { missingWalLead, selfContainedPrologue } from './plans/self-contained.js';
import { recover } from './recover.js';
import { DrillSession } from './session/drill-session.js';
import { Timeline, type PhaseListener } from './timeline.js';

export interface RunDrillOptions {
  runId: string;
  /** <out>/<run-id>/<drill>: result.json, report.html and logs/ go here. */
  drillDir: string;
  /** Where a self-contained drill's instances run (a drill of an existing backup picks binaries of its major). */
  provider?: Provider | undefined;
  signal: AbortSignal;
  listener?: PhaseListener | undefined;
  /** Parent of the disposable work folder (data folders, backup, archive); default: the OS temp folder. */
  workRoot?: string | undefined;
  serverUser: OsUser | undefined;
  /** The disposable superuser's password; generated when not given (tests pass one to scan for leaks). */
  password?: string | undefined;
  /** Fingerprint of the key that will sign the run's evidence (shown in the report). */
  signingKeyFingerprint?: string | null | undefined;
  /** Use this backup method instead of the drill's (tests wrap the real one to inject archive faults). */
  backupMethod?: BackupMethod | undefined;
}

/** Runs one drill. Never throws for drill outcomes: failures, errors and cleanup problems are in the result. */
export async function runDrill(drill: AnyDrill, opts: RunDrillOptions): Promise<{ result: DrillResult; exitCode: number }> {
  const startedAt = new Date();
  const logDir = path.join(opts.drillDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const timeline = new Timeline(opts.listener);
  const existing = isSourceDrill(drill);
  const outcome = newOutcome(existing ? 'existing' : 'self-contained');
  const password = opts.password ?? generatePassword();
  const source = existing ? createSource(drill.source) : undefined;
  const method = existing ? undefined : (opts.backupMethod ?? backupMethod(drill.backup.method, drill.backup));
  // Its server binaries are looked for while the guard is probed and the backup inspected (their major is the backup's).
  if (source) prefetchPgBinaries();
  // The user's backup, archive, repository and configuration: read-only for every child of the drill.
  const guard = source ? await readOnlyGuard(source.inputPaths()) : undefined;
  if (guard && outcome.prologue.kind === 'existing') {
    outcome.prologue.readOnly = guard;
    if (!guard.enforced && guard.paths.length > 0) outcome.warnings.push(`read-only enforced: no, because ${guard.why ?? 'unknown'}; pgdrill still writes nothing there, but the kernel does not hold it to that`);
  }
  let session: DrillSession | undefined;
  try {
    // Disposed as this block ends, however it ends: every server, receiver and writer stopped, the folder removed.
    await using s = (session = new DrillSession({
      runId: opts.runId,
      logDir,
      // A drill of an existing backup starts with a placeholder: its provider is chosen once the backup's major is known.
      provider: opts.provider ?? new LocalProvider(),
      signal: opts.signal,
      serverUser: opts.serverUser,
      workRoot: opts.workRoot,
      stepTimeoutMs: drill.timeouts.step,
      secrets: existing ? (source?.secrets?.() ?? []) : [password],
      readOnly: guard,
    }));
    if (existing && source) {
      const { recoverable, provider } = await existingPrologue(drill, source, { session: s, timeline, runId: opts.runId, startedAt }, outcome);
      await recover(drill, { session: s, timeline, provider, signal: opts.signal }, recoverable, outcome.recovery);
    } else if (method) {
      const provider = opts.provider ?? new LocalProvider();
      const stage = { session: s, timeline, provider, method, incident: createIncident((drill as Drill).incident), signal: opts.signal, serverUser: opts.serverUser, password };
      const recoverable = await selfContainedPrologue(drill as Drill, stage, outcome);
      await recover(drill, { session: s, timeline, provider, signal: opts.signal }, recoverable, outcome.recovery);
    }
  } catch (error) {
    recordFailure(outcome, error, opts.signal);
  }
  outcome.warnings.push(...(outcome.recovery.sandbox?.warnings ?? []), ...(session?.warnings ?? []));
  if (!existing) missingWalLead(drill as Drill, outcome);
  return concludeDrill(drill, opts, { startedAt, timeline, outcome, session, method: existing ? `source: ${source?.kind ?? ''}` : (method?.name ?? ''), detectedBy: detectedBy(drill) });
}

/** The checks meant to find a self-contained drill's damage (expect: detected). */
function detectedBy(drill: AnyDrill): readonly string[] {
  return isSourceDrill(drill) ? [] : (INCIDENT_FACTS[drill.incident.kind].detectedBy ?? []);
}
