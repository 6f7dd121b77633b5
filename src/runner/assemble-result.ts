// Builds result.json from what the drill observed: status, verdict, diagnosis, numbers and their evidence.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { readdirSync, existsSync } from 'node:fs';
import type { BackupArtifact, WalContinuity } from '../tools/backup-method.js';
import { isSourceDrill, type AnyDrill } from '../drill/drill.js';
import type { ChosenBackup } from '../tools/source.js';
import type { SandboxConfig } from './sandbox-settings.js';
import type { Freshness } from '../verify/verify-sandbox.js';
import { PgdrillError } from '../errors.js';
import { judge } from '../model/judge.js';
import type { CommandRecord } from '../exec/command-runner.js';
import type { OsUser } from '../exec/os-user.js';
import type { IncidentRecord } from '../incidents/incident.js';
import type { ProviderInfo } from '../providers/provider.js';
import type { ReadyEvent } from '../providers/readiness.js';
import { lsnDiff } from '../pg/lsn.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import type { TargetConfirmation } from '../verify/confirm-target.js';
import { describeTarget } from '../pg/recovery-target.js';
import { RESULT_SCHEMA_VERSION, type DrillResult } from '../model/result-schema.js';
import { PGDRILL_VERSION } from '../version.js';
import type { CheckResult } from '../model/check-result.js';
import type { Marker } from './heartbeat.js';
import { rate, type RpoMeasurement } from '../verify/measure-rpo.js';
import type { LiveLoss } from './stage-live.js';
import type { PipelineFinding } from '../pipeline/finding.js';
import type { WalFetch } from './wal-fetch.js';
import type { Timeline } from './timeline.js';
import type { VerifyOutcome } from '../verify/verify-recovery.js';
import { integritySection, type IntegrityOutcome } from './stage-integrity.js';
import { forecastRto } from '../drill/forecast.js';

/** Everything a drill observed, filled in as it goes. */
export interface DrillOutcome {
  info?: ProviderInfo;
  backup?: BackupArtifact;
  incident?: IncidentRecord;
  target?: RecoveryTarget;
  recoverySettings?: Record<string, string>;
  readiness?: ReadyEvent;
  confirmation?: TargetConfirmation;
  verify?: VerifyOutcome;
  continuity?: WalContinuity;
  declaredAt?: string;
  checks: CheckResult[];
  /** Plain-language findings that lead the diagnosis (missing WAL...). */
  findings: string[];
  toolVersions: Record<string, string>;
  settings: Record<string, string>;
  ledger: Marker[];
  /** Problems that did not change the verdict but must be seen (a cleanup step that failed). */
  warnings: string[];
  /** Every check of the verify phase passed (the recovered instance was verified): the RTO can be met. */
  verificationPassed?: boolean;
  /** A drill of an existing backup: the backup chosen, the sandbox's overrides, the freshness RPO. */
  source?: { kind: string; backup: ChosenBackup; toolVersion: string };
  sandbox?: SandboxConfig;
  freshness?: Freshness;
  /** A drill of an existing backup with `live`: the simulated loss and the RPO its markers measured. */
  live?: LiveLoss;
  /** Time replay spent waiting for restore_command (a drill of an existing backup). */
  walFetch?: WalFetch;
  /** A drill of an existing backup: the health of the backup pipeline, checked first. */
  pipeline?: PipelineFinding[];
  liveRpo?: RpoMeasurement;
  /** The integrity pass over the restored instance (and pg_checksums for full). */
  integrity?: IntegrityOutcome;
  /** Sizes against the same drill's earlier runs. */
  sanity?: NonNullable<DrillResult['sanity']>;
  error?: unknown;
}

export function assembleResult(input: {
  drill: AnyDrill;
  runId: string;
  startedAt: Date;
  timeline: Timeline;
  outcome: DrillOutcome;
  method: string;
  commands: CommandRecord[];
  drillDir: string;
  serverUser: OsUser | undefined;
  /** Names of the checks meant to find the incident's damage (expect: detected). */
  detectedBy: readonly string[];
  interruptedBy?: 'SIGINT' | 'SIGTERM' | undefined;
}): { result: DrillResult; exitCode: number } {
  const { drill, outcome, timeline } = input;
  const rtoSeconds = timeline.rtoSeconds() ?? null;
  const rpo = outcome.verify?.rpo ?? outcome.liveRpo;
  const objectives = { rtoSeconds: drill.objectives.rto / 1000, rpoSeconds: drill.objectives.rpo / 1000 };
  const judgement = judge({
    name: drill.name,
    expect: isSourceDrill(drill) ? 'recovered' : drill.expect,
    objectives,
    rtoSeconds,
    rpo: rpo ? { seconds: rpo.rpoSeconds, lowerBound: rpo.lowerBound, lostMarkers: rpo.lostMarkers } : outcome.freshness ? { seconds: outcome.freshness.seconds, lowerBound: false, lostMarkers: null } : null,
    recoveryVerified: !outcome.error && outcome.verificationPassed === true,
    checks: outcome.checks,
    detectedBy: input.detectedBy,
    findings: outcome.findings,
    error: outcome.error,
    interruptedBy: input.interruptedBy,
  });
  const { status, expectation, verdict, diagnosis } = judgement;
  const checks = [...outcome.checks, ...judgement.objectiveChecks];
  const error = outcome.error;


  const relative = (file: string) => path.relative(input.drillDir, file);
  const logsDir = path.join(input.drillDir, 'logs');
  const result: DrillResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    pgdrillVersion: PGDRILL_VERSION,
    runId: input.runId,
    drill: {
      name: drill.name,
      ...(drill.description ? { description: drill.description } : {}),
      file: drill.file,
      sha256: createHash('sha256').update(drill.text).digest('hex'),
    },
    status,
    verdict,
    ...(diagnosis ? { diagnosis } : {}),
    startedAt: input.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    objectives: {
      ...objectives,
      rtoMet: judgement.rto.met,
      rpoMet: judgement.rpo.met,
      ...(drill.objectives.validateEvery !== undefined ? { validateEverySeconds: drill.objectives.validateEvery / 1000 } : {}),
      ...(drill.policy ? { policy: { name: drill.policy.name, ...(drill.policy.owner ? { owner: drill.policy.owner } : {}), file: drill.policy.file, sha256: drill.policy.sha256 } } : {}),
    },
    measured: measuredNumbers(outcome, timeline, rtoSeconds),
    phases: timeline.phases,
    checks,
    ...(outcome.incident ? { incident: { ...outcome.incident, ...(outcome.declaredAt ? { declaredAt: outcome.declaredAt } : {}) } } : {}),
    expectation,
    recovery: recoverySection(drill, outcome),
    ...(outcome.backup
      ? {
          backup: {
            method: outcome.backup.method,
            sizeBytes: outcome.backup.sizeBytes,
            seconds: outcome.backup.seconds,
            ...(outcome.backup.startLsn ? { startLsn: outcome.backup.startLsn } : {}),
            ...(outcome.backup.endLsn ? { endLsn: outcome.backup.endLsn } : {}),
          },
        }
      : {}),
    markers: {
      heartbeatSeconds: isSourceDrill(drill) ? (drill.source.live?.heartbeat ?? 0) / 1000 : drill.workload.heartbeat / 1000,
      written: outcome.ledger.length,
      ...(rpo?.lastPreIncidentMarker ? { lastPreIncident: rpo.lastPreIncidentMarker } : {}),
      ...(rpo?.newestRecoveredMarker ? { newestRecovered: rpo.newestRecoveredMarker } : {}),
    },
    environment: environmentSection(outcome, input.method, input.serverUser),
    commands: input.commands.map((r) => ({ ...r, logFile: relative(r.logFile) })),
    logs: existsSync(logsDir) ? listFiles(logsDir).map(relative) : [],
    ...(error && status === 'error' ? { error: errorInfo(error) } : {}),
    ...(outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {}),
    ...(outcome.source
      ? {
          source: {
            kind: outcome.source.kind,
            ...outcome.source.backup,
            ageSecondsAtDrill: outcome.source.backup.stopTime ? Math.max(0, (input.startedAt.getTime() - Date.parse(outcome.source.backup.stopTime)) / 1000) : null,
            toolVersion: outcome.source.toolVersion,
          },
        }
      : {}),
    ...(outcome.sandbox ? { sandbox: { overrides: outcome.sandbox.overrides, warnings: outcome.sandbox.warnings } } : {}),
    ...(outcome.freshness ? { freshness: outcome.freshness } : {}),
    ...(outcome.pipeline ? { pipeline: outcome.pipeline } : {}),
    ...forecastSection(drill, timeline, measuredNumbers(outcome, timeline, rtoSeconds)),
    ...(outcome.integrity ? { integrity: integritySection(outcome.integrity) } : {}),
    ...(outcome.sanity ? { sanity: outcome.sanity } : {}),
    ...(outcome.live
      ? {
          live: {
            mode: outcome.live.mode,
            lossAt: outcome.live.lossAt,
            segmentAtLoss: outcome.live.segmentAtLoss ?? null,
            markersWritten: outcome.live.ledger.length,
            failedWrites: outcome.live.failedWrites,
            database: outcome.live.database,
          },
        }
      : {}),
  };
  return { result, exitCode: judgement.exitCode };
}

/** objectives.forecast: the RTO at production size, from this drill's rates (only for a verified recovery). */
function forecastSection(drill: AnyDrill, timeline: Timeline, m: DrillResult['measured']): Pick<DrillResult, 'forecast'> {
  const spec = drill.objectives.forecast;
  if (!spec) return {};
  const phase = (name: string) => timeline.phases.find((p) => p.name === name)?.seconds ?? null;
  const backupEveryMs = spec.backupEvery ?? drill.objectives.maxBackupAge ?? 86_400_000;
  const f = forecastRto(spec, {
    rtoSeconds: m.rtoSeconds,
    restoreBytesPerSecond: m.restoreFilesBytesPerSecond,
    restoreSeconds: phase('restore-files'),
    replayBytesPerSecond: m.walReplayBytesPerSecond,
    replaySeconds: phase('wal-replay'),
    verifySeconds: phase('verify'),
  }, backupEveryMs);
  if (!f) return {};
  return {
    forecast: {
      sizeBytes: spec.size,
      walPerHourBytes: spec.walPerHour ?? null,
      backupEverySeconds: backupEveryMs / 1000,
      ...f,
      withinObjective: f.rtoSeconds <= drill.objectives.rto / 1000,
    },
  };
}

/** The numbers, each traceable to how it was measured (result-schema.ts says how). */
function measuredNumbers(outcome: DrillOutcome, timeline: Timeline, rtoSeconds: number | null): DrillResult['measured'] {
  const rpo = outcome.verify?.rpo ?? outcome.liveRpo;
  const replayPhase = timeline.phases.find((p) => p.name === 'wal-replay');
  const restorePhase = timeline.phases.find((p) => p.name === 'restore-files');
  const startLsn = outcome.backup?.startLsn ?? outcome.source?.backup.startLsn;
  const sizeBytes = outcome.backup?.sizeBytes ?? outcome.source?.backup.sizeBytes;
  const walBytes = outcome.confirmation?.redoDoneLsn && startLsn ? lsnDiff(outcome.confirmation.redoDoneLsn, startLsn) : null;
  return {
    rtoSeconds,
    rpoSeconds: rpo?.rpoSeconds ?? outcome.freshness?.seconds ?? null,
    rpoMethod: rpo ? 'markers' : outcome.freshness ? (outcome.freshness.from === 'end of the backup' ? 'dump-time' : 'freshness') : null,
    rpoLowerBound: rpo?.lowerBound ?? false,
    lostMarkers: rpo?.lostMarkers ?? null,
    discardedMarkers: rpo?.discardedMarkers ?? null,
    survivingPostIncidentMarkers: rpo?.survivingPostIncidentMarkers ?? null,
    walReplayBytes: walBytes,
    walReplaySeconds: replayPhase?.seconds ?? null,
    walReplayBytesPerSecond: walBytes !== null && replayPhase ? rate(walBytes, replayPhase.seconds) : null,
    restoreFilesBytesPerSecond: sizeBytes !== undefined && restorePhase ? rate(sizeBytes, restorePhase.seconds) : null,
    readinessLatencySeconds: outcome.readiness?.latencySeconds ?? null,
    ...(outcome.walFetch ? { walFetchSeconds: outcome.walFetch.seconds, walFilesFetched: outcome.walFetch.fetched, ...(outcome.walFetch.staged !== undefined ? { walFilesStaged: outcome.walFetch.staged } : {}) } : {}),
  };
}

function recoverySection(drill: AnyDrill, outcome: DrillOutcome): DrillResult['recovery'] {
  return {
    target: drill.recovery.target,
    ...(outcome.target
      ? { resolved: outcome.live ? `the end of the WAL the backup system held at the simulated loss (segment ${outcome.live.segmentAtLoss ?? 'none: the backup alone'})` : describeTarget(outcome.target) }
      : {}),
    settings: outcome.recoverySettings ?? {},
    reached: outcome.confirmation?.reached ?? false,
    timeline: outcome.confirmation?.timeline ?? null,
    evidence: outcome.confirmation?.evidence ?? [],
    ...(outcome.verify?.lastReplayedCommit ? { lastReplayedCommit: outcome.verify.lastReplayedCommit } : {}),
  };
}

function environmentSection(outcome: DrillOutcome, method: string, serverUser: OsUser | undefined): DrillResult['environment'] {
  return {
    provider: outcome.info?.provider ?? 'unknown',
    providerReason: outcome.info?.reason ?? '',
    postgresVersion: outcome.settings['server_version'] ?? outcome.info?.postgresVersion ?? 'unknown',
    ...(outcome.info?.binDir ? { binDir: outcome.info.binDir } : {}),
    backupMethod: method,
    toolVersions: outcome.toolVersions,
    ...(serverUser ? { serverUser: serverUser.name } : {}),
    host: os.hostname(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    settings: outcome.settings,
  };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

function errorInfo(error: unknown): { name: string; message: string; suggestion?: string } {
  const e = error instanceof Error ? error : new Error(String(error));
  const suggestion = e instanceof PgdrillError ? e.suggestion : undefined;
  return { name: e.name, message: e.message, ...(suggestion ? { suggestion } : {}) };
}
