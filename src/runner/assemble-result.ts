// Builds result.json from what the drill observed: status, verdict, diagnosis, numbers and their evidence.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { readdirSync, existsSync } from 'node:fs';
import type { BackupArtifact, WalContinuity } from '../backup/backup-method.js';
import type { Drill } from '../drill/drill.js';
import { formatSeconds } from '../drill/duration.js';
import { isFinding, PgdrillError, RecoveryFailedError, StepFailedError } from '../errors.js';
import type { CommandRunner } from '../exec/command-runner.js';
import type { OsUser } from '../exec/os-user.js';
import type { IncidentRecord } from '../incidents/incident.js';
import type { ProviderInfo } from '../providers/provider.js';
import type { ReadyEvent } from '../providers/readiness.js';
import { lsnDiff } from '../recovery/lsn.js';
import type { RecoveryTarget, TargetConfirmation } from '../recovery/recovery-target.js';
import { describeTarget } from '../recovery/recovery-target.js';
import { RESULT_SCHEMA_VERSION, type DrillResult } from '../report/result-schema.js';
import { PGDRILL_VERSION } from '../version.js';
import type { CheckResult } from '../verify/check.js';
import type { Marker } from './heartbeat.js';
import { rate } from './measure.js';
import type { Timeline } from './timeline.js';
import type { VerifyOutcome } from './verify-recovery.js';

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
  restorePointLsn?: string;
  declaredAt?: string;
  checks: CheckResult[];
  /** Plain-language findings that lead the diagnosis (missing WAL...). */
  findings: string[];
  toolVersions: Record<string, string>;
  settings: Record<string, string>;
  ledger: Marker[];
  error?: unknown;
}

export function assembleResult(input: {
  drill: Drill;
  runId: string;
  startedAt: Date;
  timeline: Timeline;
  outcome: DrillOutcome;
  method: string;
  runner: CommandRunner;
  drillDir: string;
  serverUser: OsUser | undefined;
}): DrillResult {
  const { drill, outcome, timeline } = input;
  const rtoSeconds = timeline.rtoSeconds() ?? null;
  const rpo = outcome.verify?.rpo;
  const objectives = { rtoSeconds: drill.objectives.rto / 1000, rpoSeconds: drill.objectives.rpo / 1000 };
  const checks = [...outcome.checks];
  if (rtoSeconds !== null) {
    checks.push({
      name: 'RTO objective',
      status: rtoSeconds <= objectives.rtoSeconds ? 'passed' : 'failed',
      detail: `measured ${formatSeconds(rtoSeconds)} ${rtoSeconds <= objectives.rtoSeconds ? '<=' : '>'} objective ${formatSeconds(objectives.rtoSeconds)}`,
    });
  }
  if (rpo) {
    const met = rpo.rpoSeconds <= objectives.rpoSeconds && !rpo.lowerBound;
    checks.push({
      name: 'RPO objective',
      status: met ? 'passed' : 'failed',
      detail: `measured ${rpo.lowerBound ? 'at least ' : ''}${formatSeconds(rpo.rpoSeconds)} ${met ? '<=' : '>'} objective ${formatSeconds(objectives.rpoSeconds)} (${rpo.lostMarkers} marker(s) lost)`,
    });
  }

  const error = outcome.error;
  const raw: DrillResult['status'] = error
    ? isFinding(error)
      ? 'failed'
      : 'error'
    : checks.every((c) => c.status === 'passed')
      ? 'passed'
      : 'failed';
  const problem = raw === 'passed' ? undefined : diagnose(error, checks, outcome.findings);
  // expect: detected turns the table: the drill passes only when pgdrill noticed the damage and said why.
  let status = raw;
  let expectation: DrillResult['expectation'];
  if (drill.expect === 'detected') {
    const detected = raw === 'failed' && Boolean(problem);
    status = raw === 'error' ? 'error' : detected ? 'passed' : 'failed';
    expectation = {
      expect: 'detected',
      met: detected,
      detail: detected
        ? `detected: ${(problem ?? '').split('\n')[0]}`
        : raw === 'error'
          ? 'the drill could not run far enough to tell'
          : 'not detected: recovery reached its target and every check passed, so this damage would go unnoticed',
    };
  } else {
    expectation = { expect: 'recovered', met: raw === 'passed', detail: raw === 'passed' ? 'recovered to the target with every check passed' : 'not recovered as expected' };
  }
  const diagnosis =
    drill.expect === 'detected'
      ? status === 'passed'
        ? `Detected as expected.\n${problem}`
        : status === 'failed'
          ? `${expectation.detail}.`
          : problem
      : problem;

  const replayPhase = timeline.phases.find((p) => p.name === 'wal-replay');
  const restorePhase = timeline.phases.find((p) => p.name === 'restore-files');
  const walBytes = outcome.confirmation?.redoDoneLsn ? lsnDiff(outcome.confirmation.redoDoneLsn, outcome.backup?.startLsn) : null;
  const fmt = (s: number | null | undefined) => (s === null || s === undefined ? 'n/a' : formatSeconds(s));
  const verdict =
    `${status.toUpperCase()} ${drill.name}  RTO ${fmt(rtoSeconds)} (objective ${formatSeconds(objectives.rtoSeconds)})  ` +
    `RPO ${rpo ? `${rpo.lowerBound ? '>=' : ''}${formatSeconds(rpo.rpoSeconds)}` : 'n/a'} (objective ${formatSeconds(objectives.rpoSeconds)})` +
    (drill.expect === 'detected' ? `  expected detection: ${expectation.met ? 'detected' : 'NOT detected'}` : '');

  const relative = (file: string) => path.relative(input.drillDir, file);
  const logsDir = path.join(input.drillDir, 'logs');
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    pgdrillVersion: PGDRILL_VERSION,
    runId: input.runId,
    drill: {
      name: drill.name,
      ...(drill.description ? { description: drill.description } : {}),
      file: drill.file,
      sha256: createHash('sha256').update(drill.source).digest('hex'),
    },
    status,
    verdict,
    ...(diagnosis ? { diagnosis } : {}),
    startedAt: input.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    objectives,
    measured: {
      rtoSeconds,
      rpoSeconds: rpo?.rpoSeconds ?? null,
      rpoLowerBound: rpo?.lowerBound ?? false,
      lostMarkers: rpo?.lostMarkers ?? null,
      discardedMarkers: rpo?.discardedMarkers ?? null,
      survivingPostIncidentMarkers: rpo?.survivingPostIncidentMarkers ?? null,
      walReplayBytes: walBytes,
      walReplaySeconds: replayPhase?.seconds ?? null,
      walReplayBytesPerSecond: walBytes !== null && replayPhase ? rate(walBytes, replayPhase.seconds) : null,
      restoreFilesBytesPerSecond: outcome.backup && restorePhase ? rate(outcome.backup.sizeBytes, restorePhase.seconds) : null,
      readinessLatencySeconds: outcome.readiness?.latencySeconds ?? null,
    },
    phases: timeline.phases,
    checks,
    ...(outcome.incident ? { incident: { ...outcome.incident, ...(outcome.declaredAt ? { declaredAt: outcome.declaredAt } : {}) } } : {}),
    expectation,
    recovery: {
      target: drill.recovery.target,
      ...(outcome.target ? { resolved: describeTarget(outcome.target) } : {}),
      settings: outcome.recoverySettings ?? {},
      reached: outcome.confirmation?.reached ?? false,
      timeline: outcome.confirmation?.timeline ?? null,
      evidence: outcome.confirmation?.evidence ?? [],
      ...(outcome.verify?.lastReplayedCommit ? { lastReplayedCommit: outcome.verify.lastReplayedCommit } : {}),
    },
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
      heartbeatSeconds: drill.workload.heartbeat / 1000,
      written: outcome.ledger.length,
      ...(rpo?.lastPreIncidentMarker ? { lastPreIncident: rpo.lastPreIncidentMarker } : {}),
      ...(rpo?.newestRecoveredMarker ? { newestRecovered: rpo.newestRecoveredMarker } : {}),
    },
    environment: {
      provider: outcome.info?.provider ?? 'unknown',
      providerReason: outcome.info?.reason ?? '',
      postgresVersion: outcome.settings['server_version'] ?? outcome.info?.postgresVersion ?? 'unknown',
      backupMethod: input.method,
      toolVersions: outcome.toolVersions,
      ...(input.serverUser ? { serverUser: input.serverUser.name } : {}),
      host: os.hostname(),
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      settings: outcome.settings,
    },
    commands: input.runner.records.map((r) => ({ ...r, logFile: relative(r.logFile) })),
    logs: existsSync(logsDir) ? listFiles(logsDir).map(relative) : [],
    ...(error && status === 'error' ? { error: errorInfo(error) } : {}),
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

/** The first thing a reader of a failed drill needs: what went wrong and what to do. */
function diagnose(error: unknown, checks: CheckResult[], findings: string[]): string {
  const lead = findings.length > 0 ? `${findings.join('\n')}\n` : '';
  return lead + explain(error, checks);
}

function explain(error: unknown, checks: CheckResult[]): string {
  if (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const suggestion = e instanceof PgdrillError && e.suggestion ? `\nWhat to do: ${e.suggestion}` : '';
    const logTail = e instanceof RecoveryFailedError ? `\nServer log (last lines):\n${e.logTail}` : '';
    const step = e instanceof StepFailedError && e.details.logFile ? `\nCommand log: ${e.details.logFile}` : '';
    return `${e.message}${suggestion}${step}${logTail}`;
  }
  const failed = checks.filter((c) => c.status === 'failed');
  return failed.map((c) => `${c.name}: ${c.detail}`).join('\n');
}
