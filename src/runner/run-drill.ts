// One drill, phase by phase: provision the primary, load the workload, back up and verify, heartbeat, capture
// the truth, incident (RTO clock starts), restore to the target, confirm and verify (RTO clock stops), report.
// Every instance and the work folder are removed on every path.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backupMethod } from '../backup/registry.js';
import type { BackupArtifact, BackupContext, BackupMethod } from '../backup/backup-method.js';
import type { Drill } from '../drill/drill.js';
import { DrillFinding, EnvironmentError, InterruptedError, isAbortError, RecoveryFailedError } from '../errors.js';
import { CommandRunner } from '../exec/command-runner.js';
import { chownTree, type OsUser } from '../exec/os-user.js';
import { Redactor } from '../exec/redactor.js';
import type { IncidentRecord } from '../incidents/incident.js';
import { createIncident } from '../incidents/registry.js';
import { generatePassword } from '../providers/local/local-provider.js';
import type { PostgresInstance, Provider, ProviderInfo } from '../providers/provider.js';
import { confirmTarget, describeTarget, type RecoveryTarget, type TargetConfirmation } from '../recovery/recovery-target.js';
import type { CheckResult } from '../verify/check.js';
import { BackgroundWriter } from './background-writer.js';
import { CleanupStack } from './cleanup-stack.js';
import { Heartbeat, createHeartbeatTable, type Marker } from './heartbeat.js';
import { resolveTarget } from './resolve-target.js';
import { captureTruth, protectedTables, type PreIncidentTruth } from './truth.js';
import { Timeline, type PhaseListener } from './timeline.js';
import { verifyRecovery, type VerifyOutcome } from './verify-recovery.js';
import { loadWorkload } from './workload.js';
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
  /** Use this backup method instead of the drill's (tests wrap the real one to inject archive faults). */
  backupMethod?: BackupMethod;
}

/** Settings every primary gets so that PITR and the measurements work (PITR-FACTS #4). */
const PRIMARY_SETTINGS = { wal_level: 'replica', track_commit_timestamp: 'on', max_wal_senders: 10 } as const;

/** Runs one drill. Never throws for drill outcomes: failures and errors are in the result. */
export async function runDrill(drill: Drill, opts: RunDrillOptions): Promise<{ result: DrillResult; exitCode: number }> {
  const startedAt = new Date();
  const logDir = path.join(opts.drillDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const workDir = mkdtempSync(path.join(opts.workRoot ?? os.tmpdir(), 'pgdrill-'));
  chownTree(workDir, opts.serverUser);
  const redactor = new Redactor();
  const password = generatePassword();
  redactor.add(password);
  const runner = new CommandRunner({
    logDir: path.join(logDir, 'commands'),
    signal: opts.signal,
    redactor,
    serverUser: opts.serverUser,
    defaultTimeoutMs: drill.timeouts.step,
    cwd: workDir,
  });
  const ctx: BackupContext = {
    workDir,
    logDir,
    runner,
    serverUser: opts.serverUser,
    signal: opts.signal,
    provider: opts.provider,
    archiveDir: path.join(workDir, 'archive'),
  };
  const method = opts.backupMethod ?? backupMethod(drill.backup.method);
  const incident = createIncident(drill.incident);
  const timeline = new Timeline(opts.listener);
  const cleanup = new CleanupStack();
  const deadlineMs = drill.timeouts.step;

  const outcome: DrillOutcome = { checks: [], toolVersions: {}, settings: {}, ledger: [] };
  let heartbeat: Heartbeat | undefined;
  try {
    outcome.info = await opts.provider.describe();
    await checkWorkDirReachable(runner, workDir, opts.serverUser);
    outcome.toolVersions[method.name] = await method.version(ctx);
    mkdirSync(ctx.archiveDir, { recursive: true, mode: 0o700 });
    chownTree(ctx.archiveDir, opts.serverUser);

    const primary = await timeline.phase('provision-primary', () =>
      opts.provider
        .initPrimary(ctx, {
          name: 'primary',
          password,
          deadlineMs,
          settings: { ...PRIMARY_SETTINGS, ...drill.postgres.settings, ...method.primarySettings(ctx) },
        })
        .catch((error: unknown) => {
          if (isAbortError(error) || error instanceof EnvironmentError) throw error;
          throw new EnvironmentError(`the primary instance would not start: ${(error as Error).message}`, 'see logs/primary-server.log; check postgres.settings in the drill file', { cause: error });
        }),
    );
    cleanup.defer(() => primary.stop());
    outcome.settings = await primarySettings(primary);

    const writers = drill.workload.background.map((b) => new BackgroundWriter(primary, b.sql, b.every));
    await timeline.phase('load-workload', async () => {
      await loadWorkload(drill, primary, opts.provider, runner);
      await incident.preflight(primary);
      for (const w of writers) await w.start();
    });
    cleanup.defer(() => Promise.all(writers.map((w) => w.stop().catch(() => undefined))));

    const backup: BackupArtifact = await timeline.phase('base-backup', () => method.takeBackup(ctx, primary));
    outcome.backup = backup;
    const backupCheck = await timeline.phase('verify-backup', () => method.verify(ctx, backup));
    outcome.checks.push(backupCheck);
    if (backupCheck.status === 'failed') throw new DrillFinding(`the base backup failed verification: ${backupCheck.detail}`);

    heartbeat = new Heartbeat(primary, drill.workload.heartbeat);
    const hb = heartbeat;
    await timeline.phase('heartbeat', async () => {
      await createHeartbeatTable(primary);
      await hb.start();
      await hb.waitForMarkers(3);
    });
    cleanup.defer(() => hb.stop());

    const truth: PreIncidentTruth = await timeline.phase('capture-truth', async () => {
      for (const w of writers) await w.stop();
      return captureTruth(drill, primary, protectedTables(drill, incident.protectedTables));
    });

    const record: IncidentRecord = await timeline.phase('incident', () => incident.inject(primary));
    outcome.incident = record;
    timeline.startRto();
    outcome.ledger = await hb.stop();

    const target: RecoveryTarget = resolveTarget(drill, record);
    outcome.target = target;
    await timeline.phase('archive-wal', () => method.archiveThrough(ctx, primary, record.lsnAfter, deadlineMs), { inRto: true });
    const plan = await timeline.phase('restore-files', () => method.restore(ctx, backup, target, 'restore'), { inRto: true });
    outcome.recoverySettings = plan.settings;
    const restored: PostgresInstance = await timeline.phase(
      'wal-replay',
      () => opts.provider.start(ctx, { name: 'restore', dataDir: plan.dataDir, settings: plan.settings, password, deadlineMs: drill.recovery.timeout }),
      { inRto: true },
    );
    cleanup.defer(() => restored.stop());
    outcome.readiness = restored.ready;

    const verified: VerifyOutcome = await timeline.phase(
      'verify',
      () => verifyRecovery({ drill, restored, target, truth, incident: record, ledger: outcome.ledger }),
      { inRto: true },
    );
    timeline.stopRto();
    outcome.verify = verified;
    outcome.confirmation = verified.confirmation;
    outcome.checks.push(...verified.checks);
  } catch (error) {
    outcome.error = opts.signal.aborted && !(error instanceof InterruptedError) ? new InterruptedError() : error;
    if (outcome.target && !outcome.confirmation) outcome.confirmation = failedConfirmation(outcome.target, error);
  } finally {
    await heartbeat?.stop().catch(() => undefined);
    await cleanup.dispose();
    rmSync(workDir, { recursive: true, force: true });
  }

  const result = assembleResult({ drill, runId: opts.runId, startedAt, timeline, outcome, method: method.name, runner, drillDir: opts.drillDir, serverUser: opts.serverUser });
  return { result, exitCode: exitCodeFor(result, outcome.error) };
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

/** 0 passed; 1 failed; 3 environment; 130 interrupted; 1 for other errors. */
export function exitCodeFor(result: DrillResult, error: unknown): number {
  if (result.status === 'passed') return 0;
  if (error && isAbortError(error)) return 130;
  if (error instanceof EnvironmentError) return 3;
  return 1;
}

export type { CheckResult, Marker, ProviderInfo };
