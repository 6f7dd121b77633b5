// Builds result.json from what the drill observed (outcome.ts): status, verdict, diagnosis, numbers and their
// evidence. The judge (model/judge.ts) decides; this file only writes down.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { readdirSync, existsSync } from 'node:fs';
import { isSourceDrill, type AnyDrill } from '../drill/drill.js';
import { PgdrillError } from '../errors.js';
import { judge, type JudgeInput } from '../model/judge.js';
import { withCode } from '../model/finding-codes.js';
import type { CommandRecord } from '../exec/command-runner.js';
import type { OsUser } from '../exec/os-user.js';
import { lsnDiff } from '../pg/lsn.js';
import { describeTarget } from '../pg/recovery-target.js';
import { RESULT_SCHEMA_VERSION, type DrillResult } from '../model/result-schema.js';
import { PGDRILL_VERSION } from '../version.js';
import { rate } from '../verify/measure-rpo.js';
import type { Timeline } from './timeline.js';
import { integritySection } from './stage-integrity.js';
import { forecastInputOf, forecastRto, type Forecast } from '../drill/forecast.js';
import { allChecks, recoveryVerified, type DrillOutcome } from './outcome.js';

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
  const { drill, outcome: o, timeline } = input;
  const p = o.prologue;
  const r = o.recovery;
  const rtoSeconds = timeline.rtoSeconds() ?? null;
  const rpo = r.verify?.rpo;
  const freshness = r.verify?.freshness;
  const measured = measuredNumbers(o, timeline, rtoSeconds);
  const forecast = forecastOf(drill, timeline, measured);
  const objectives = { rtoSeconds: drill.objectives.rto / 1000, rpoSeconds: drill.objectives.rpo / 1000 };
  const checksRun = allChecks(o);
  const judgement = judge({
    name: drill.name,
    expect: isSourceDrill(drill) ? 'recovered' : drill.expect,
    objectives,
    rtoSeconds,
    rpo: rpoJudged(o),
    recoveryVerified: !o.error && recoveryVerified(o),
    checks: checksRun,
    detectedBy: input.detectedBy,
    findings: o.findings,
    error: o.error,
    interruptedBy: input.interruptedBy,
    ...(forecast ? { forecastRtoSeconds: forecast.estimate.rtoSeconds } : {}),
  });
  const { status, expectation, verdict, diagnosis } = judgement;
  const error = o.error;
  const relative = (file: string) => path.relative(input.drillDir, file);
  const logsDir = path.join(input.drillDir, 'logs');
  const live = p.kind === 'existing' ? p.live : undefined;
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
    exitCode: judgement.exitCode,
    ...(diagnosis ? { diagnosis } : {}),
    startedAt: input.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    objectives: {
      ...objectives,
      rtoMet: judgement.rto.met === true,
      rpoMet: judgement.rpo.met,
      ...(drill.objectives.validateEvery !== undefined ? { validateEverySeconds: drill.objectives.validateEvery / 1000 } : {}),
      ...(drill.policy ? { policy: { name: drill.policy.name, ...(drill.policy.owner ? { owner: drill.policy.owner } : {}), file: drill.policy.file, sha256: drill.policy.sha256 } } : {}),
    },
    measured,
    phases: timeline.phases,
    checks: [...checksRun, ...judgement.objectiveChecks].map(withCode),
    ...incidentSection(o),
    expectation,
    recovery: recoverySection(drill, o),
    ...backupSection(o),
    markers: {
      heartbeatSeconds: isSourceDrill(drill) ? (drill.source.live?.heartbeat ?? 0) / 1000 : drill.workload.heartbeat / 1000,
      written: p.kind === 'self-contained' ? p.ledger.length : (live?.ledger.length ?? 0),
      ...(rpo?.lastPreIncidentMarker ? { lastPreIncident: rpo.lastPreIncidentMarker } : {}),
      ...(rpo?.newestRecoveredMarker ? { newestRecovered: rpo.newestRecoveredMarker } : {}),
    },
    environment: environmentSection(o, input.method, input.serverUser),
    commands: input.commands.map((c) => ({ ...c, logFile: relative(c.logFile) })),
    logs: existsSync(logsDir) ? listFiles(logsDir).map(relative) : [],
    ...(error && status === 'error' ? { error: errorInfo(error) } : {}),
    ...(o.warnings.length > 0 ? { warnings: o.warnings } : {}),
    ...sourceSection(o, input.startedAt),
    ...(r.sandbox ? { sandbox: { overrides: r.sandbox.overrides, warnings: r.sandbox.warnings } } : {}),
    ...(p.kind === 'existing' && p.readOnly ? { readOnly: p.readOnly } : {}),
    ...(freshness ? { freshness } : {}),
    ...(p.kind === 'existing' && p.pipeline ? { pipeline: p.pipeline } : {}),
    ...(forecast && drill.objectives.forecast
      ? {
          forecast: {
            sizeBytes: drill.objectives.forecast.size,
            walPerHourBytes: drill.objectives.forecast.walPerHour ?? null,
            backupEverySeconds: forecast.backupEverySeconds,
            ...forecast.estimate,
            withinObjective: judgement.forecast?.met ?? false,
          },
        }
      : {}),
    ...(r.integrity ? { integrity: integritySection(r.integrity) } : {}),
    ...(o.sanity ? { sanity: o.sanity.section } : {}),
    ...liveSection(o),
  };
  return { result, exitCode: judgement.exitCode };
}

/** The data loss as the judge sees it: measured (and whether it can prove anything), not applicable, or unknown. */
function rpoJudged(o: DrillOutcome): JudgeInput['rpo'] {
  const rpo = o.recovery.verify?.rpo;
  const freshness = o.recovery.verify?.freshness;
  const notProven = o.prologue.kind === 'existing' ? o.prologue.rpoNotProven : undefined;
  if (rpo) return { seconds: rpo.rpoSeconds, lowerBound: rpo.lowerBound, lostMarkers: rpo.lostMarkers, notProven };
  if (freshness) return { seconds: freshness.seconds, lowerBound: false, lostMarkers: null, notProven };
  if (o.recovery.rpoNotApplicable) return { notApplicable: o.recovery.rpoNotApplicable };
  return null;
}

function incidentSection(o: DrillOutcome): Pick<DrillResult, 'incident'> {
  const p = o.prologue;
  if (p.kind !== 'self-contained' || !p.incident) return {};
  return { incident: { ...p.incident, ...(p.declaredAt ? { declaredAt: p.declaredAt } : {}) } };
}

function backupSection(o: DrillOutcome): Pick<DrillResult, 'backup'> {
  const b = o.prologue.kind === 'self-contained' ? o.prologue.backup : undefined;
  if (!b) return {};
  return { backup: { method: b.method, sizeBytes: b.sizeBytes, seconds: b.seconds, ...(b.startLsn ? { startLsn: b.startLsn } : {}), ...(b.endLsn ? { endLsn: b.endLsn } : {}) } };
}

function sourceSection(o: DrillOutcome, startedAt: Date): Pick<DrillResult, 'source'> {
  const s = o.prologue.kind === 'existing' ? o.prologue.source : undefined;
  if (!s) return {};
  const age = s.backup.stopTime ? Math.max(0, (startedAt.getTime() - Date.parse(s.backup.stopTime)) / 1000) : null;
  // archiveEnd is the recovery's input (walRange.last says the same for the report).
  const { archiveEnd: _archiveEnd, ...backup } = s.backup;
  return { source: { kind: s.kind, ...backup, ageSecondsAtDrill: age, toolVersion: s.toolVersion } };
}

function liveSection(o: DrillOutcome): Pick<DrillResult, 'live'> {
  const live = o.prologue.kind === 'existing' ? o.prologue.live : undefined;
  if (!live) return {};
  return { live: { mode: live.mode, lossAt: live.lossAt, segmentAtLoss: live.segmentAtLoss ?? null, markersWritten: live.ledger.length, failedWrites: live.failedWrites, database: live.database } };
}

/** objectives.forecast: the RTO at production size, from this drill's rates (the judge says whether it is within). */
function forecastOf(drill: AnyDrill, timeline: Timeline, m: DrillResult['measured']): { estimate: Forecast; backupEverySeconds: number } | undefined {
  const spec = drill.objectives.forecast;
  if (!spec) return undefined;
  const phase = (name: string) => timeline.phases.find((p) => p.name === name)?.seconds ?? null;
  const backupEveryMs = spec.backupEvery ?? drill.objectives.maxBackupAge ?? 86_400_000;
  const estimate = forecastRto(spec, forecastInputOf(m, phase, os.totalmem()), backupEveryMs);
  return estimate ? { estimate, backupEverySeconds: backupEveryMs / 1000 } : undefined;
}

/** The numbers, each traceable to how it was measured (result-schema.ts says how). */
function measuredNumbers(o: DrillOutcome, timeline: Timeline, rtoSeconds: number | null): DrillResult['measured'] {
  const rpo = o.recovery.verify?.rpo;
  const freshness = o.recovery.verify?.freshness;
  const p = o.prologue;
  const replayPhase = timeline.phases.find((x) => x.name === 'wal-replay');
  const restorePhase = timeline.phases.find((x) => x.name === 'restore-files');
  const startLsn = p.kind === 'self-contained' ? p.backup?.startLsn : p.source?.backup.startLsn;
  const sizeBytes = p.kind === 'self-contained' ? p.backup?.sizeBytes : p.source?.backup.sizeBytes;
  const redo = o.recovery.confirmation?.redoDoneLsn;
  const walBytes = redo && startLsn ? lsnDiff(redo, startLsn) : null;
  const fetch = o.recovery.walFetch;
  return {
    rtoSeconds,
    rpoSeconds: rpo?.rpoSeconds ?? freshness?.seconds ?? null,
    rpoMethod: rpo ? 'markers' : freshness ? (freshness.from === 'end of the backup' ? 'dump-time' : 'freshness') : null,
    rpoLowerBound: rpo?.lowerBound ?? false,
    lostMarkers: rpo?.lostMarkers ?? null,
    discardedMarkers: rpo?.discardedMarkers ?? null,
    survivingPostIncidentMarkers: rpo?.survivingPostIncidentMarkers ?? null,
    walReplayBytes: walBytes,
    walReplaySeconds: replayPhase?.seconds ?? null,
    walReplayBytesPerSecond: walBytes !== null && replayPhase ? rate(walBytes, replayPhase.seconds) : null,
    ...(o.recovery.replaySplit ? { walReplaySplit: o.recovery.replaySplit } : {}),
    restoreFilesBytesPerSecond: sizeBytes !== undefined && restorePhase ? rate(sizeBytes, restorePhase.seconds) : null,
    ...(o.recovery.restoreCopySeconds !== undefined ? { restoreCopySeconds: o.recovery.restoreCopySeconds } : {}),
    ...(o.recovery.verify ? { verifyDataSeconds: o.recovery.verify.dataSeconds } : {}),
    ...(o.recovery.diskWrite ? { diskWriteBytesPerSecond: o.recovery.diskWrite.bytesPerSecond } : {}),
    ...(o.recovery.restoreProcesses !== undefined ? { restoreProcesses: o.recovery.restoreProcesses } : {}),
    readinessLatencySeconds: o.recovery.readiness?.latencySeconds ?? null,
    ...(fetch ? { walFetchSeconds: fetch.seconds, walFilesFetched: fetch.fetched, ...(fetch.staged !== undefined ? { walFilesStaged: fetch.staged } : {}) } : {}),
  };
}

function recoverySection(drill: AnyDrill, o: DrillOutcome): DrillResult['recovery'] {
  const r = o.recovery;
  const live = o.prologue.kind === 'existing' ? o.prologue.live : undefined;
  return {
    target: drill.recovery.target,
    ...(r.target ? { resolved: live ? `the end of the WAL the backup system held at the simulated loss (segment ${live.segmentAtLoss ?? 'none: the backup alone'})` : describeTarget(r.target) } : {}),
    settings: r.settings ?? {},
    reached: r.confirmation?.reached ?? false,
    timeline: r.confirmation?.timeline ?? null,
    evidence: r.confirmation?.evidence ?? [],
    ...(r.verify?.lastReplayedCommit ? { lastReplayedCommit: r.verify.lastReplayedCommit } : {}),
  };
}

function environmentSection(o: DrillOutcome, method: string, serverUser: OsUser | undefined): DrillResult['environment'] {
  const e = o.environment;
  return {
    provider: e.info?.provider ?? 'unknown',
    providerReason: e.info?.reason ?? '',
    postgresVersion: e.settings['server_version'] ?? e.info?.postgresVersion ?? 'unknown',
    ...(e.info?.binDir ? { binDir: e.info.binDir } : {}),
    backupMethod: method,
    toolVersions: e.toolVersions,
    ...(serverUser ? { serverUser: serverUser.name } : {}),
    host: os.hostname(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    settings: e.settings,
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
