// One drill, top to bottom: a primary of its own, a backup, an incident (its declaration starts the RTO), then
// the recovery every drill shares: restore to the target, confirm and verify. The judge decides, the result is
// assembled; every instance and the work folder are removed on every path (drill-session.ts).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { backupMethod, factsOf } from '../tools/registry.js';
import type { BackupMethod } from '../tools/backup-method.js';
import type { Drill } from '../drill/drill.js';
import { DrillFinding, EnvironmentError } from '../errors.js';
import type { CommandRunner } from '../exec/command-runner.js';
import type { OsUser } from '../exec/os-user.js';
import { createIncident, INCIDENT_FACTS } from '../incidents/registry.js';
import { generatePassword } from '../providers/local/local-provider.js';
import type { Provider } from '../providers/provider.js';
import type { DrillResult } from '../model/result-schema.js';
import { missingWalFinding } from '../verify/wal-continuity.js';
import type { DrillOutcome } from './assemble-result.js';
import { closeSession, concludeDrill, recordFailure } from './conclude.js';
import { DrillSession } from './drill-session.js';
import { resolveTarget } from './resolve-target.js';
import type { Stage } from './stage.js';
import { takeBackup } from './stage-backup.js';
import { strike } from './stage-incident.js';
import { startPrimary } from './stage-primary.js';
import { recover } from './stage-recover.js';
import { Timeline, type PhaseListener } from './timeline.js';

export interface RunDrillOptions {
  runId: string;
  /** <out>/<run-id>/<drill>: result.json, report.html and logs/ go here. */
  drillDir: string;
  provider: Provider;
  signal: AbortSignal;
  listener?: PhaseListener;
  /** Parent of the disposable work folder (data folders, backup, archive); default: the OS temp folder. */
  workRoot?: string;
  serverUser: OsUser | undefined;
  /** The disposable superuser's password; generated when not given (tests pass one to scan for leaks). */
  password?: string;
  /** Fingerprint of the key that will sign the run's evidence (shown in the report). */
  signingKeyFingerprint?: string | null;
  /** Use this backup method instead of the drill's (tests wrap the real one to inject archive faults). */
  backupMethod?: BackupMethod;
}

/** Runs one drill. Never throws for drill outcomes: failures, errors and cleanup problems are in the result. */
export async function runDrill(drill: Drill, opts: RunDrillOptions): Promise<{ result: DrillResult; exitCode: number }> {
  const startedAt = new Date();
  const logDir = path.join(opts.drillDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const password = opts.password ?? generatePassword();
  const method = opts.backupMethod ?? backupMethod(drill.backup.method, drill.backup);
  const timeline = new Timeline(opts.listener);
  const outcome: DrillOutcome = { checks: [], findings: [], toolVersions: {}, settings: {}, ledger: [], warnings: [] };
  let session: DrillSession | undefined;
  try {
    session = new DrillSession({ runId: opts.runId, logDir, provider: opts.provider, signal: opts.signal, serverUser: opts.serverUser, workRoot: opts.workRoot, stepTimeoutMs: drill.timeouts.step, secrets: [password] });
    const stage: Stage = { session, timeline, provider: opts.provider, method, incident: createIncident(drill.incident), signal: opts.signal, serverUser: opts.serverUser, password };
    await selfContainedDrill(drill, stage, outcome);
  } catch (error) {
    recordFailure(outcome, error, opts.signal);
  } finally {
    await closeSession(session, outcome);
  }
  if (outcome.continuity && !outcome.continuity.continuous) {
    const details = outcome.incident?.details;
    const deleted = details?.['missingSegment'] === outcome.continuity.missingSegment ? details?.['deleted'] : undefined;
    const seen = { confirmation: outcome.confirmation, verify: outcome.verify, backupEndTime: outcome.backup?.endTime, rpoObjectiveSeconds: drill.objectives.rpo / 1000, deleted };
    outcome.findings.push(missingWalFinding(outcome.continuity, seen));
  }
  return concludeDrill(drill, opts, { startedAt, timeline, outcome, session, method: method.name, detectedBy: INCIDENT_FACTS[drill.incident.kind].detectedBy ?? [] });
}

/** The plan of a drill that builds its own primary: primary, backup, incident, then the shared recovery. */
async function selfContainedDrill(drill: Drill, s: Stage, o: DrillOutcome): Promise<void> {
  o.info = await s.provider.describe();
  await checkWorkDirReachable(s.session.runner, s.session.workDir, s.serverUser);
  o.toolVersions[s.method.name] = await s.method.version(s.session.ctx);

  const primary = await startPrimary(drill, s);
  o.settings = primary.settings;
  const taken = await takeBackup(s, primary.primary);
  Object.assign(o, { backup: taken.backup, ...(taken.damage ? { incident: taken.damage } : {}) });
  o.checks.push(...taken.checks);
  if (!taken.verified) throw new DrillFinding(`the base backup failed verification, so no restore was attempted: ${taken.checks[0]?.detail ?? ''}`);

  const struck = await strike(drill, s, primary, taken.backup);
  Object.assign(o, { incident: struck.record, ledger: struck.ledger, declaredAt: struck.declaredAt });
  o.checks.push(...(struck.record.detections ?? []));

  o.target = resolveTarget(drill, { incident: s.incident, record: struck.record, ledger: struck.ledger, backup: taken.backup, pointInTime: factsOf(s.method).pointInTime, method: s.method.name });
  const verified = await recover(
    drill,
    s,
    { target: o.target, backup: taken.backup, record: struck.record, truth: struck.truth, ledger: struck.ledger, primary: s.incident.primarySurvives ? primary.primary : undefined, restorePointLsn: struck.restorePointLsn },
    {
      continuity: (c, check) => {
        o.continuity = c;
        if (check) o.checks.push(check);
      },
      restored: (plan, ready) => {
        o.recoverySettings = { ...(plan.kind === 'physical' ? plan.written : {}), ...plan.settings };
        if (ready) o.readiness = ready;
      },
      integrity: (i) => {
        if (i) o.integrity = i;
      },
      walFetch: (f) => {
        if (f) o.walFetch = f;
      },
    },
  );
  const checks = [...verified.checks, ...(o.integrity?.checks ?? [])];
  Object.assign(o, { verify: verified, confirmation: verified.confirmation, verificationPassed: checks.every((c) => c.status === 'passed') });
  o.checks.push(...checks);
}

/** The server user must be able to reach the work folder (a parent like /root blocks it, PITR-FACTS #1). */
async function checkWorkDirReachable(runner: CommandRunner, workDir: string, user: OsUser | undefined): Promise<void> {
  if (!user) return;
  const probe = await runner.run('test', ['-w', workDir], { label: 'work-dir-check', asServerUser: true, allowFailure: true });
  if (probe.exitCode !== 0) {
    throw new EnvironmentError(
      `the OS user ${user.name} cannot reach the work folder ${workDir}: a parent folder is not traversable`,
      'pass --work-dir (or PGDRILL_WORK_DIR) pointing at a folder every user can traverse, e.g. /tmp or /var/tmp',
    );
  }
}
