// One drill, phase by phase: provision the primary, load the workload, back up and verify, heartbeat, capture
// the truth, incident (RTO clock starts), restore to the target, confirm and verify (RTO clock stops), report.
// Every instance and the work folder are removed on every path.
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { backupMethod } from '../backup/registry.js';
import type { BackupArtifact, BackupMethod, WalContinuity } from '../backup/backup-method.js';
import type { Drill } from '../drill/drill.js';
import { DrillFinding, EnvironmentError, InterruptedError, isAbortError, RecoveryFailedError, StepFailedError } from '../errors.js';
import type { CommandRunner } from '../exec/command-runner.js';
import { chownTree, type OsUser } from '../exec/os-user.js';
import { formatSeconds } from '../drill/duration.js';
import { databaseMoment, type Incident, type IncidentRecord } from '../incidents/incident.js';
import { createIncident, INCIDENT_FACTS } from '../incidents/registry.js';
import { generatePassword } from '../providers/local/local-provider.js';
import type { PostgresInstance, Provider } from '../providers/provider.js';
import { describeTarget, type RecoveryTarget, type TargetConfirmation } from '../recovery/recovery-target.js';
import type { CheckResult } from '../verify/check.js';
import { BackgroundWriter } from './background-writer.js';
import { DrillSession } from './drill-session.js';
import { WAL_SEGMENT_BYTES } from '../backup/wal-archive.js';
import { Heartbeat, createHeartbeatTable } from './heartbeat.js';
import { DEFAULT_RESTORE_POINT, resolveTarget } from './resolve-target.js';
import { captureTruth, protectedTables, type PreIncidentTruth } from './truth.js';
import { Timeline, type PhaseListener } from './timeline.js';
import { verifyRecovery, type VerifyOutcome } from './verify-recovery.js';
import { loadWorkload, runPgbench } from './workload.js';
import { assembleResult, type DrillOutcome } from './assemble-result.js';
import type { DrillResult } from '../report/result-schema.js';

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

/** Settings every primary gets so that PITR and the measurements work (PITR-FACTS #4). */
const PRIMARY_SETTINGS = { wal_level: 'replica', track_commit_timestamp: 'on', max_wal_senders: 10 } as const;

/**
 * Settings pgdrill depends on and pins on every instance: English log lines at LOG level (readiness and target
 * confirmation follow the server log), commits that never wait for a standby, writable sessions.
 */
export const PINNED_SETTINGS = { lc_messages: 'C', log_min_messages: 'warning', synchronous_standby_names: '', default_transaction_read_only: 'off' } as const;

/** Runs one drill. Never throws for drill outcomes: failures, errors and cleanup problems are in the result. */
export async function runDrill(drill: Drill, opts: RunDrillOptions): Promise<{ result: DrillResult; exitCode: number }> {
  const startedAt = new Date();
  const logDir = path.join(opts.drillDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const password = opts.password ?? generatePassword();
  const method = opts.backupMethod ?? backupMethod(drill.backup.method);
  const incident = createIncident(drill.incident);
  const timeline = new Timeline(opts.listener);
  const outcome: DrillOutcome = { checks: [], findings: [], toolVersions: {}, settings: {}, ledger: [], warnings: [] };
  let session: DrillSession | undefined;
  try {
    session = new DrillSession({ runId: opts.runId, logDir, provider: opts.provider, signal: opts.signal, serverUser: opts.serverUser, workRoot: opts.workRoot, stepTimeoutMs: drill.timeouts.step, secrets: [password] });
    await drillPhases(drill, { ...opts, password, method, incident, timeline, outcome, session });
  } catch (error) {
    outcome.error = opts.signal.aborted ? new InterruptedError(interruptedBy(opts.signal)) : asEnvironmentProblem(error);
    if (outcome.target && !outcome.confirmation) outcome.confirmation = failedConfirmation(outcome.target, error);
  } finally {
    await session?.dispose();
    outcome.warnings.push(...(session?.warnings ?? []));
  }
  if (outcome.continuity && !outcome.continuity.continuous) outcome.findings.push(missingWalFinding(outcome, drill));

  const runner = session?.runner;
  const { result, exitCode } = assembleResult({
    drill,
    runId: opts.runId,
    startedAt,
    timeline,
    outcome,
    method: method.name,
    commands: runner?.records ?? [],
    drillDir: opts.drillDir,
    serverUser: opts.serverUser,
    detectedBy: INCIDENT_FACTS[drill.incident.kind].detectedBy ?? [],
    interruptedBy: opts.signal.aborted ? interruptedBy(opts.signal) : undefined,
  });
  if (opts.signingKeyFingerprint !== undefined) result.evidence = { signingKeyFingerprint: opts.signingKeyFingerprint };
  return { result, exitCode };
}

interface PhaseInputs extends RunDrillOptions {
  password: string;
  method: BackupMethod;
  incident: Incident;
  timeline: Timeline;
  outcome: DrillOutcome;
  session: DrillSession;
}

/** The phases of a self-contained drill, top to bottom; what they observe goes into `outcome`. */
async function drillPhases(drill: Drill, p: PhaseInputs): Promise<void> {
  const { method, incident, timeline, outcome, session, password } = p;
  const { ctx, runner } = session;
  const deadlineMs = drill.timeouts.step;
  outcome.info = await p.provider.describe();
  await checkWorkDirReachable(runner, session.workDir, p.serverUser);
  outcome.toolVersions[method.name] = await method.version(ctx);
  mkdirSync(ctx.archiveDir, { recursive: true, mode: 0o700 });
  chownTree(ctx.archiveDir, p.serverUser);

  const primary = await timeline.phase('provision-primary', () =>
    p.provider.initPrimary(ctx, { name: 'primary', password, deadlineMs, settings: { ...PRIMARY_SETTINGS, ...drill.postgres.settings, ...PINNED_SETTINGS, ...method.primarySettings(ctx) } }).catch((error: unknown) => {
      if (isAbortError(error) || error instanceof EnvironmentError) throw error;
      throw new EnvironmentError(`the primary instance would not start: ${(error as Error).message}`, 'see logs/primary-server.log; check postgres.settings in the drill file', { cause: error });
    }),
  );
  session.defer('stop the primary', () => primary.stop());
  outcome.settings = await primarySettings(primary);
  if (method.dispose) session.defer(`stop ${method.name}'s background processes`, () => method.dispose?.());
  const prepare = method.prepare?.bind(method);
  if (prepare) await timeline.phase('prepare-backup', () => prepare(ctx, primary));

  const writers = drill.workload.background.map((b) => new BackgroundWriter(primary, b.sql, b.every));
  const endangered = await timeline.phase('load-workload', async () => {
    await loadWorkload(drill, primary, p.provider, runner);
    const tables = await incident.preflight(primary);
    for (const w of writers) await w.start();
    return tables;
  });
  session.defer('stop the background writers', () => Promise.all(writers.map((w) => w.stop())));

  const backup: BackupArtifact = await timeline.phase('base-backup', async () => {
    const taken = await method.takeBackup(ctx, primary);
    return { ...taken, endTime: taken.endTime ?? (await databaseMoment(primary)).commitTime };
  });
  outcome.backup = backup;
  const damageBackup = incident.afterBackup?.bind(incident);
  if (damageBackup) outcome.incident = await timeline.phase('damage-backup', () => damageBackup(ctx, backup));
  const backupCheck = await timeline.phase('verify-backup', () => method.verify(ctx, backup));
  outcome.checks.push(backupCheck, ...((await method.extraChecks?.(ctx)) ?? []));
  if (backupCheck.status === 'failed') throw new DrillFinding(`the base backup failed verification, so no restore was attempted: ${backupCheck.detail}`);

  const hb = new Heartbeat(primary, drill.workload.heartbeat);
  session.defer('stop the heartbeat', () => hb.stop());
  await timeline.phase('heartbeat', async () => {
    await createHeartbeatTable(primary);
    await hb.start();
    await hb.waitForMarkers(3);
  });
  if (drill.workload.pgbench?.duration) await timeline.phase('pgbench-writes', () => runPgbench(drill, primary, p.provider, runner));
  if (drill.workload.runFor > 0) await timeline.phase('steady-writes', () => sleep(drill.workload.runFor, undefined, { signal: p.signal }));

  const truth: PreIncidentTruth = await timeline.phase('capture-truth', async () => {
    for (const w of writers) await w.stop();
    return captureTruth(drill, primary, protectedTables(drill, endangered));
  });
  if (drill.recovery.target === 'name') {
    const name = drill.recovery.name ?? DEFAULT_RESTORE_POINT;
    outcome.restorePointLsn = await timeline.phase('restore-point', async () => {
      const [row] = await primary.query<{ lsn: string }>('select pg_create_restore_point($1)::text as lsn', [name]);
      return row?.lsn ?? '';
    });
  }

  const record: IncidentRecord = await timeline.phase('incident', () => incident.inject({ primary, backupContext: ctx, backup }));
  outcome.incident = record;
  outcome.checks.push(...(record.detections ?? []));
  if (incident.primarySurvives && drill.incident.declareAfter > 0) {
    // The application keeps writing until someone declares the incident; PITR discards those writes.
    await timeline.phase('writes-after-incident', () => sleep(drill.incident.declareAfter, undefined, { signal: p.signal }));
  }
  timeline.startRto();
  outcome.declaredAt = new Date().toISOString();
  outcome.ledger = await hb.stop();

  const target: RecoveryTarget = resolveTarget(drill, { incident, record, ledger: outcome.ledger, backup, pointInTime: method.pointInTime, method: method.name });
  outcome.target = target;
  const archivedUntil = await timeline.phase(
    'archive-wal',
    async () => {
      if (!incident.primarySurvives) return (await method.archiveEnd(ctx)) ?? record.lsnBefore;
      const [now] = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      const lsn = now?.lsn ?? record.lsnAfter;
      await method.archiveThrough(ctx, primary, lsn, deadlineMs);
      return target.kind === 'latest' ? ((await method.archiveEnd(ctx)) ?? lsn) : lsn;
    },
    { inRto: true },
  );
  // pgdrill's own proof, not an operator's step: outside the RTO.
  await timeline.phase('check-archive', async () => {
    const neededLsn = lsnNeededFor(target, { record, backup, archivedUntil, restorePointLsn: outcome.restorePointLsn });
    const continuity = await method.walContinuity(ctx, backup, neededLsn);
    outcome.continuity = continuity;
    if (continuity.applicable !== false) outcome.checks.push(continuityCheck(continuity, neededLsn));
  });

  const plan = await timeline.phase('restore-files', () => method.restore(ctx, backup, { target, timeline: drill.recovery.timeline, instanceName: 'restore' }), { inRto: true });
  outcome.recoverySettings = { ...(plan.kind === 'physical' ? plan.written : {}), ...plan.settings };
  const restored: PostgresInstance =
    plan.kind === 'physical'
      ? await timeline.phase('wal-replay', () => p.provider.start(ctx, { name: 'restore', dataDir: plan.dataDir, settings: { ...plan.settings, ...PINNED_SETTINGS }, password, deadlineMs: drill.recovery.timeout }), { inRto: true })
      : await timeline.phase('logical-restore', () => plan.load(password), { inRto: true });
  session.defer('stop the restored instance', () => restored.stop());
  outcome.readiness = restored.ready;

  const verified: VerifyOutcome = await timeline.phase(
    'verify',
    () =>
      verifyRecovery({
        drill,
        restored,
        target,
        truth,
        incident: record,
        ledger: outcome.ledger,
        backupEndTime: backup.endTime,
        logical: plan.kind === 'logical',
        archiveEnd: target.kind === 'latest' && plan.kind === 'physical' ? { newestSegmentLsn: archivedUntil, segmentBytes: WAL_SEGMENT_BYTES } : undefined,
      }),
    { inRto: true },
  );
  outcome.verify = verified;
  outcome.confirmation = verified.confirmation;
  outcome.checks.push(...verified.checks);
}

/** The signal that interrupted the run (the CLI aborts with the signal's name as the reason). */
export function interruptedBy(signal: AbortSignal): 'SIGINT' | 'SIGTERM' {
  const reason = signal.reason as unknown;
  const text = reason instanceof Error ? reason.message : String(reason);
  return text.includes('SIGTERM') ? 'SIGTERM' : 'SIGINT';
}

/** A full disk or a folder pgdrill may not write is the machine's problem (exit 3), wherever it strikes. */
function asEnvironmentProblem(error: unknown): unknown {
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

/** How far the archive must reach for this target. */
function lsnNeededFor(
  target: RecoveryTarget,
  at: { record: IncidentRecord; backup: BackupArtifact; archivedUntil: string; restorePointLsn: string | undefined },
): string {
  switch (target.kind) {
    case 'immediate':
      return at.backup.endLsn ?? at.archivedUntil;
    case 'name':
      return at.restorePointLsn ?? at.archivedUntil;
    case 'lsn':
      return target.lsn;
    case 'latest':
      return at.archivedUntil;
    case 'xid':
    case 'time':
      return at.record.lsnAfter || at.archivedUntil;
  }
}

function continuityCheck(c: WalContinuity, neededLsn: string): CheckResult {
  return {
    name: 'WAL archive continuous',
    status: c.continuous ? 'passed' : 'failed',
    detail: c.continuous
      ? `every segment from ${c.firstSegment} to ${c.lastSegment} (through ${neededLsn}) is archived`
      : `segment ${c.missingSegment} is missing: WAL is contiguous from ${c.firstSegment} only up to ${c.lastContiguousLsn}, recovery needs it through ${neededLsn}`,
  };
}

/**
 * Which segment is missing, the last point that was recoverable, and what that means for the RPO objective: no
 * recovery can get past the hole, so the recoverable point is frozen while the primary keeps committing.
 */
function missingWalFinding(o: DrillOutcome, drill: Drill): string {
  const c = o.continuity as WalContinuity;
  const stop = o.confirmation?.redoDoneLsn ?? c.lastContiguousLsn;
  const last = o.verify?.lastReplayedCommit?.time ?? o.confirmation?.lastCompletedTransactionTime;
  const point = last
    ? `last transaction committed at ${last}`
    : `the end of the base backup${o.backup?.endTime ? ` at ${o.backup.endTime}` : ''}: no later transaction could be replayed`;
  const rpo = o.verify?.rpo;
  const loss = rpo ? ` ${rpo.lostMarkers} marker(s) committed before the incident are lost (RPO ${rpo.rpoSeconds.toFixed(3)}s at the incident).` : '';
  return (
    `WAL segment ${c.missingSegment} is missing from the archive: recovery can only reach ${stop} (${point}).${loss} ` +
    `The RPO objective of ${formatSeconds(drill.objectives.rpo / 1000)} cannot be met with this archive: every commit after that point is lost, and the loss grows until a new base backup is taken.`
  );
}

function failedConfirmation(target: RecoveryTarget, error: unknown): TargetConfirmation {
  const lines = error instanceof RecoveryFailedError ? error.logTail.split('\n').filter((l) => /FATAL|PANIC|recovery|redo/.test(l)) : [];
  return { reached: false, evidence: [...lines, `recovery to ${describeTarget(target)} did not complete`] };
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

async function primarySettings(primary: PostgresInstance): Promise<Record<string, string>> {
  const rows = await primary.query<{ name: string; setting: string; unit: string | null }>(
    `select name, setting, unit from pg_settings
      where name in ('server_version', 'wal_level', 'archive_mode', 'archive_timeout', 'wal_compression', 'full_page_writes',
                     'data_checksums', 'track_commit_timestamp', 'checkpoint_timeout', 'max_wal_size', 'synchronous_commit',
                     'wal_segment_size', 'shared_buffers')
      order by name`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.unit && !['bool', ''].includes(r.unit) ? `${r.setting} (${r.unit})` : r.setting]));
}
