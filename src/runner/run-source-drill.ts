// A drill of a backup the user already has: read its metadata and choose it, pick server binaries of its major
// version, declare the disaster (the RTO starts with the restore), restore it read-only into a sandbox of the work
// folder, replay to the target, verify, judge. The same session, judge and result as a self-contained drill.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SourceDrill } from '../drill/drill.js';
import type { OsUser } from '../exec/os-user.js';
import { generatePassword, LocalProvider } from '../providers/local/local-provider.js';
import { SERVER_TOOLS } from '../providers/local/pg-binaries.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import type { DrillResult } from '../model/result-schema.js';
import { prepareSandbox } from './sandbox-settings.js';
import { createSource } from '../tools/registry.js';
import { segmentStartLsn, WAL_SEGMENT_BYTES } from '../tools/common/wal-archive.js';
import { measureRpo } from '../verify/measure-rpo.js';
import { checkPipeline } from './check-pipeline.js';
import { diskPreflight } from './disk-preflight.js';
import { folderProgress, walProgress } from './progress-samplers.js';
import { prefetchFor, replayWith } from './wal-prefetch.js';
import { fetchCommand, readWalFetch, timedRestoreCommand } from './wal-fetch.js';
import { limitedRestoreCommand, recoveredMarkers, simulateLoss } from './stage-live.js';
import { verifySandbox } from '../verify/verify-sandbox.js';
import { integrityStage } from './stage-integrity.js';
import type { DrillOutcome } from './assemble-result.js';
import { DrillSession } from './drill-session.js';
import { closeSession, concludeDrill, recordFailure } from './conclude.js';
import { PINNED_SETTINGS } from '../pg/pinned-settings.js';
import { postgresTimestamp } from '../pg/timestamps.js';
import { Timeline, type PhaseListener } from './timeline.js';

export interface RunSourceDrillOptions {
  runId: string;
  drillDir: string;
  signal: AbortSignal;
  listener?: PhaseListener | undefined;
  workRoot?: string | undefined;
  serverUser: OsUser | undefined;
  signingKeyFingerprint?: string | null;
}

export async function runSourceDrill(drill: SourceDrill, opts: RunSourceDrillOptions): Promise<{ result: DrillResult; exitCode: number }> {
  const startedAt = new Date();
  const logDir = path.join(opts.drillDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const timeline = new Timeline(opts.listener);
  const outcome: DrillOutcome = { checks: [], findings: [], toolVersions: {}, settings: {}, ledger: [], warnings: [] };
  const source = createSource(drill.source);
  let session: DrillSession | undefined;
  try {
    // The provider is chosen once the backup's major version is known; the session starts with a placeholder.
    session = new DrillSession({ runId: opts.runId, logDir, provider: new LocalProvider(), signal: opts.signal, serverUser: opts.serverUser, workRoot: opts.workRoot, stepTimeoutMs: drill.timeouts.step, secrets: source.secrets?.() ?? [] });
    const ctx = session.ctx;
    const backup = await timeline.phase('inspect-backup', () => source.inspect(ctx));
    // The pipeline's health first (pgdrill check): shown in the report, a problem is a warning, not the verdict,
    // except the one objective the drill file states (maxBackupAge).
    outcome.pipeline = await timeline.phase('check-pipeline', () => checkPipeline(drill, source, ctx, backup, process.env));
    // An objective the drill states is judged: a newest backup older than maxBackupAge fails the drill.
    const age = drill.objectives.maxBackupAge !== undefined ? outcome.pipeline.find((f) => f.check === 'newest backup age') : undefined;
    if (age) outcome.checks.push({ name: 'newest backup age (objectives.maxBackupAge)', status: age.status === 'failed' ? 'failed' : 'passed', detail: `${age.detail}${age.fix ? `; ${age.fix}` : ''}` });
    for (const f of outcome.pipeline.filter((x) => x.status !== 'passed' && x !== age)) outcome.warnings.push(`pipeline check ${f.check} ${f.status}: ${f.detail}${f.fix ? `; ${f.fix}` : ''}`);
    const toolVersion = await source.version(ctx);
    outcome.source = { kind: source.kind, backup, toolVersion };
    timeline.note(`backup ${backup.label} (PostgreSQL ${backup.pgMajor}), chosen: ${backup.chosenBy}`);
    const provider = new LocalProvider(`local: PostgreSQL ${backup.pgMajor} server binaries for a backup of PostgreSQL ${backup.pgMajor}`, process.env, backup.pgMajor, SERVER_TOOLS);
    ctx.provider = provider;
    outcome.info = await provider.describe(); // binaries of that major missing: exit 3 before anything starts
    outcome.toolVersions[source.kind] = toolVersion;

    diskPreflight(backup, ctx.workDir); // too little room: exit 3 before anything is written
    const target = sourceTarget(drill);
    outcome.target = target;
    // With live: markers on the source, then the simulated loss; the recovery gets only the WAL archived by then.
    const live = drill.source.live ? await simulateLoss(drill.source.live, source, ctx, timeline, `${opts.runId}/${drill.name}`, process.env) : undefined;
    if (live) {
      outcome.ledger = live.ledger;
      outcome.live = live;
    }
    // Where the archive ends, read once when the disaster is declared (a live archive keeps growing).
    const newestSegment = live ? live.segmentAtLoss : target.kind === 'latest' ? await source.newestSegment?.(ctx) : undefined;
    timeline.startRto(); // the disaster is declared: from here on the restore is the recovery
    const plan = await timeline.phase('restore-files', () => source.restore(ctx, backup, { target, timeline: drill.recovery.timeline, instanceName: 'sandbox' }), {
      inRto: true,
      progress: folderProgress(path.join(ctx.workDir, 'sandbox', 'data'), backup.restoredBytes),
    });
    const fetchLog = path.join(ctx.workDir, 'wal-fetch.log');
    // The WAL to replay, when its end is known: up to the newest segment held (latest), or the backup's own end.
    const walEnd = newestSegment ? segmentStartLsn(newestSegment) : undefined;
    // A live source's sandbox replays no further than the newest segment held at the loss: none after it is placed.
    const prefetch = live && !newestSegment ? undefined : prefetchFor(plan, ctx.workDir, fetchLog, opts.serverUser, live ? newestSegment : undefined);
    if (plan.kind === 'physical') {
      let command = fetchCommand(plan, fetchLog, prefetch?.stage);
      // The same limit for what the restore_command fetches; 'false': nothing was archived since the backup.
      if (live && command) command = newestSegment ? limitedRestoreCommand(command, newestSegment) : timedRestoreCommand('false', fetchLog);
      if (command) plan.settings['restore_command'] = command;
    }
    let restored: PostgresInstance;
    if (plan.kind === 'logical') {
      // A dump is loaded into a fresh instance of pgdrill's own (its password, its settings).
      restored = await timeline.phase('logical-restore', () => plan.load(generatePassword()), { inRto: true });
    } else {
      const sandbox = prepareSandbox(plan.dataDir, { libDir: provider.libDir(), socketOwner: opts.serverUser, extra: drill.sandbox.settings });
      outcome.sandbox = sandbox;
      outcome.warnings.push(...sandbox.warnings);
      outcome.recoverySettings = { ...(plan.written ?? {}), ...plan.settings };
      restored = await timeline.phase(
        'wal-replay',
        () =>
          replayWith(prefetch, () =>
            provider.start(ctx, {
              name: 'sandbox',
              dataDir: plan.dataDir,
              settings: { ...sandbox.settings, ...plan.settings, ...PINNED_SETTINGS },
              password: generatePassword(),
              deadlineMs: drill.recovery.timeout,
              socketRole: drill.sandbox.user,
            }),
          ),
        { inRto: true, progress: walProgress(fetchLog, backup.startLsn, walEnd) },
      );
    }
    session.defer('stop the sandbox', () => restored.stop('immediate'));
    const fetch = readWalFetch(fetchLog, prefetch !== undefined);
    if (fetch) outcome.walFetch = fetch;
    const database = source.checkDatabase?.();
    if (database) restored.defaultDatabase = database;
    outcome.readiness = restored.ready;
    const archiveStart = target.kind === 'latest' && newestSegment ? segmentStartLsn(newestSegment) : undefined;
    const verified = await timeline.phase(
      'verify',
      () =>
        verifySandbox({
          drill,
          restored,
          target,
          logical: plan.kind === 'logical',
          archiveEnd: archiveStart ? { newestSegmentLsn: archiveStart, segmentBytes: WAL_SEGMENT_BYTES } : undefined,
          lossAt: startedAt,
          backupEnd: backup.stopTime,
        }),
      { inRto: true },
    );
    outcome.confirmation = verified.confirmation;
    outcome.checks.push(...verified.checks);
    outcome.verificationPassed = verified.checks.every((c) => c.status === 'passed');
    if (verified.freshness) outcome.freshness = verified.freshness;
    if (live) {
      // The data a loss at that moment would have cost: the last marker committed before it minus the newest one recovered.
      const db = await restored.connect(live.database);
      try {
        const ids = await recoveredMarkers(async (sql, params) => (await db.query(sql, params)).rows, live.tag);
        // No marker back: the loss is known only to be at least the markers' span (the database may have been
        // idle between its newest replayed commit and the first marker, so that commit does not bound the loss).
        outcome.liveRpo = measureRpo(live.ledger, live.lossMicros, ids);
      } finally {
        await db.end().catch(() => undefined);
      }
    }
    // Last: the integrity pass (full stops the sandbox for pg_checksums).
    const protectedTables = drill.verify.flatMap((c) => ('table' in c ? [c.table] : []));
    const integrity = await integrityStage(drill, { timeline, restored, runner: ctx.runner, pgChecksums: provider.tool('pg_checksums'), signal: opts.signal, protectedTables });
    if (integrity) {
      outcome.integrity = integrity;
      outcome.checks.push(...integrity.checks);
      outcome.verificationPassed &&= integrity.checks.every((c) => c.status === 'passed');
    }
  } catch (error) {
    recordFailure(outcome, error, opts.signal);
  } finally {
    await closeSession(session, outcome);
  }
  return concludeDrill(drill, opts, { startedAt, timeline, outcome, session, method: `source: ${source.kind}`, detectedBy: [] });
}

/** The drill's recovery section as a concrete target (the schema made sure each target has its value). */
function sourceTarget(drill: SourceDrill): RecoveryTarget {
  const r = drill.recovery;
  switch (r.target) {
    case 'time':
      return { kind: 'time', time: postgresTimestamp(r.at ?? ''), inclusive: r.inclusive ?? false };
    case 'xid':
      return { kind: 'xid', xid: r.xid ?? '', inclusive: r.inclusive ?? false };
    case 'lsn':
      return { kind: 'lsn', lsn: r.lsn ?? '', inclusive: r.inclusive ?? false };
    case 'name':
      return { kind: 'name', name: r.name ?? '' };
    case 'immediate':
      return { kind: 'immediate' };
    default:
      return { kind: 'latest' };
  }
}
