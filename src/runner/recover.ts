// The one recovery every drill ends with, whatever its prologue: restore the backup into a new instance, replay
// to the target, confirm and verify, then check the copy's integrity. A self-contained drill hands it the backup
// it took and the truth it captured before its incident; a drill of an existing backup hands it the user's backup
// (a production configuration, overridden for the sandbox) and, with `live`, the markers and the WAL held at the
// loss. The RTO is the sum of the phases marked inRto (the prologue's archive-wal included).
import path from 'node:path';
import type { AnyDrill } from '../drill/drill.js';
import { PINNED_SETTINGS, restoredPins } from '../pg/pinned-settings.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import type { PostgresInstance, Provider } from '../providers/provider.js';
import type { PhysicalRestorePlan, RestorePlan, RestoreRequest } from '../tools/backup-method.js';
import { DEFAULT_SEGMENT_BYTES, dataFolderSegmentSize } from '../pg/control-file.js';
import { segmentStartLsn } from '../tools/common/wal-archive.js';
import { readRecoveryState, verifyRecovery, type VerifyInput } from '../verify/verify.js';
import { replaySplit } from '../verify/replay-split.js';
import { verifyProgress } from './verify-progress.js';
import type { RecoverySeen } from './outcome.js';
import { folderProgress, walProgress } from './replay/progress-samplers.js';
import { runAfterRestore } from './after-restore.js';
import { probeDiskWrite } from './disk-probe.js';
import { ownCopies } from './replay/own-copies.js';
import { prepareSandbox } from './replay/sandbox-settings.js';
import { warmUp } from './warm-up.js';
import { fetchCommand, readWalFetch, timedRestoreCommand } from './replay/wal-fetch.js';
import { prefetchFor, replayWith, type WalPrefetch } from './replay/wal-prefetch.js';
import type { DrillSession } from './session/drill-session.js';
import { integrityStage } from './stage-integrity.js';
import type { Timeline } from './timeline.js';

/** What a prologue hands the recovery: a backup it can restore, where its WAL ends, and what proves it right. */
export interface Recoverable {
  /** The restored instance's name: its folder, its log and its progress lines (restore, sandbox). */
  instanceName: string;
  /** Restores the backup into a folder of the work folder (the method's or the source's restore), never writing to it. */
  restore(request: RestoreRequest): Promise<RestorePlan>;
  target: RecoveryTarget;
  /** The backup's first WAL position and its size once restored (progress totals). */
  startLsn?: string | undefined;
  restoredBytes?: number | undefined;
  /**
   * Where the archived WAL the recovery replays ends (progress; for latest, replay must read it to its end): an LSN,
   * or the newest segment's name (its LSN depends on the cluster's segment size, read from the restored folder).
   */
  walEnd?: { lsn: string } | { segment: string } | undefined;
  /**
   * A live source: the newest segment the backup system held at the loss. No later segment is served or placed;
   * `newest: undefined` means nothing was archived since the backup.
   */
  walLimit?: { newest: string | undefined } | undefined;
  /** A production cluster's backup: its configuration is overridden for a sandbox (replay/sandbox-settings.ts). */
  foreign?: { libDir: string; extra: Record<string, string | number | boolean>; socketRole: string } | undefined;
  /** The database the checks run in when none is named (a dump of another database). */
  checkDatabase?: (() => string | undefined) | undefined;
  /** The restored instance's superuser password (pgdrill's own primary's, or a new one for a sandbox). */
  password: string;
  /** What verification compares with: the prologue's truth, incident, markers, the loss. */
  evidence: Pick<VerifyInput, 'backupEndTime' | 'truth' | 'incident' | 'markers' | 'lossAt' | 'sourceAnswer'>;
  /** Tables the integrity pass reports by name (the protected ones). */
  protectedTables: readonly string[];
  /** Why the RPO objective does not apply to this recovery (a chosen past point), when it does not. */
  rpoNotApplicable?: string | undefined;
}

export interface RecoverContext {
  session: DrillSession;
  timeline: Timeline;
  provider: Provider;
  signal: AbortSignal;
}

/** Runs the recovery, reporting what it saw into `seen` as it goes (a later phase may fail). */
export async function recover(drill: AnyDrill, c: RecoverContext, r: Recoverable, seen: RecoverySeen): Promise<void> {
  const { ctx } = c.session;
  seen.target = r.target;
  if (r.rpoNotApplicable) seen.rpoNotApplicable = r.rpoNotApplicable;
  const commandsBefore = ctx.runner.records.length;
  warmUp();
  const plan = await c.timeline.phase('restore-files', () => r.restore({ target: r.target, timeline: drill.recovery.timeline, instanceName: r.instanceName }), {
    inRto: true,
    progress: folderProgress(path.join(ctx.workDir, r.instanceName, 'data'), r.restoredBytes),
  });
  // The phase's longest command moved the bytes (cp, tar, pgbackrest restore); the rest of it is the same at any size.
  const copy = ctx.runner.records.slice(commandsBefore).reduce<{ seconds: number } | undefined>((a, b) => (!a || b.seconds > a.seconds ? b : a), undefined);
  if (copy) seen.restoreCopySeconds = copy.seconds;
  if (plan.kind === 'physical' && plan.restoreProcesses !== undefined) seen.restoreProcesses = plan.restoreProcesses;
  // The cluster's own segment size (initdb --wal-segsize): WAL names and LSNs map to each other through it.
  const segmentBytes = (plan.kind === 'physical' ? dataFolderSegmentSize(plan.dataDir) : undefined) ?? DEFAULT_SEGMENT_BYTES;
  const walEnd = r.walEnd && ('lsn' in r.walEnd ? r.walEnd.lsn : segmentStartLsn(r.walEnd.segment, BigInt(segmentBytes)));
  const restored = plan.kind === 'physical' ? await replay(drill, c, r, plan, seen, { segmentBytes, walEnd }) : await c.timeline.phase('logical-restore', () => plan.load(r.password), { inRto: true });
  c.session.defer(`stop the ${r.instanceName} instance`, () => restored.stop('immediate'));
  const split = plan.kind === 'physical' ? replaySplit(restored.readLog()) : undefined;
  if (split) seen.replaySplit = split;
  seen.readiness = restored.ready;
  const database = r.checkDatabase?.();
  if (database) restored.defaultDatabase = database;

  // Read before anything commits (the newest replayed transaction), then the runbook's own steps, inside the RTO.
  const opened = drill.afterRestore.length > 0 ? await readRecoveryState(restored) : undefined;
  await runAfterRestore(drill.afterRestore, restored, ctx.runner, c.timeline);

  const latestEnd = r.target.kind === 'latest' && plan.kind === 'physical' ? walEnd : undefined;
  seen.verify = await c.timeline.phase(
    'verify',
    () =>
      verifyRecovery({
        drill,
        restored,
        target: r.target,
        logical: plan.kind === 'logical',
        archiveEnd: latestEnd ? { newestSegmentLsn: latestEnd, segmentBytes: BigInt(segmentBytes), partialTail: plan.kind === 'physical' && plan.servesPartial === true } : undefined,
        ...r.evidence,
      }, opened),
    { inRto: true, progress: verifyProgress(restored, drill) },
  );
  seen.confirmation = seen.verify.confirmation;
  // objectives.forecast: the disk's own write rate, which bounds the restore of a backup larger than memory. An
  // estimate's input: a probe that cannot write (a full disk) leaves the forecast without it, never the verdict.
  if (drill.objectives.forecast) {
    const disk = await c.timeline.phase('disk-probe', () => probeDiskWrite(ctx.workDir).catch(() => undefined));
    if (disk) seen.diskWrite = disk;
  }
  // Last: the integrity pass (full stops the instance for pg_checksums).
  const integrity = await integrityStage(drill, { timeline: c.timeline, restored, runner: ctx.runner, pgChecksums: c.provider.tool('pg_checksums'), signal: c.signal, protectedTables: r.protectedTables });
  if (integrity) seen.integrity = integrity;
}

/** Starts the restored folder and replays to the target; the restore_command runs timed, behind placed WAL. */
async function replay(drill: AnyDrill, c: RecoverContext, r: Recoverable, plan: PhysicalRestorePlan, seen: RecoverySeen, wal: { segmentBytes: number; walEnd: string | undefined }): Promise<PostgresInstance> {
  const { ctx } = c.session;
  // Before anything writes into the folder: no link may lead out of the work folder (a pg_hba.conf linked to /etc).
  const linked = await ownCopies(plan.dataDir, ctx.workDir, ctx.runner);
  const sandbox = r.foreign ? prepareSandbox(plan.dataDir, { libDir: r.foreign.libDir, socketOwner: ctx.serverUser, extra: r.foreign.extra }) : undefined;
  if (sandbox) {
    sandbox.warnings.push(...linked.map((l) => `${l.link} was a link to ${l.target}, outside the work folder: the sandbox got its own copy, and nothing was written there`));
    seen.sandbox = sandbox;
  }
  const fetchLog = path.join(ctx.workDir, 'wal-fetch.log');
  const newest = r.walLimit?.newest;
  // A live source's sandbox replays no further than the newest segment held at the loss: none after it is placed.
  const prefetch: WalPrefetch | undefined = r.walLimit && !newest ? undefined : prefetchFor(plan, ctx.workDir, fetchLog, ctx.serverUser, { last: newest, segmentBytes: wal.segmentBytes });
  let command = fetchCommand(plan, fetchLog, prefetch?.stage);
  // The same limit for what the restore_command fetches; 'false': nothing was archived since the backup.
  if (r.walLimit && command) command = newest ? limitedRestoreCommand(command, newest) : timedRestoreCommand('false', fetchLog);
  const settings = { ...sandbox?.settings, ...plan.settings, ...(command ? { restore_command: command } : {}), ...restoredPins(), ...PINNED_SETTINGS };
  seen.settings = { ...plan.written, ...plan.settings, ...(command ? { restore_command: command } : {}) };
  try {
    return await c.timeline.phase(
      'wal-replay',
      () =>
        replayWith(prefetch, () =>
          c.provider.start(ctx, { name: r.instanceName, dataDir: plan.dataDir, settings, password: r.password, deadlineMs: drill.recovery.timeout, ...(r.foreign ? { socketRole: r.foreign.socketRole } : {}) }),
        ),
      { inRto: true, progress: walProgress(fetchLog, r.startLsn, wal.walEnd, wal.segmentBytes) },
    );
  } finally {
    const fetched = readWalFetch(fetchLog, prefetch !== undefined);
    if (fetched) seen.walFetch = fetched;
  }
}

/**
 * restore_command that serves no segment newer than the one the backup system held at the loss (history files
 * and older segments pass through to the source's own command). Segment names of one timeline sort as they
 * were written.
 */
export function limitedRestoreCommand(inner: string, newest: string): string {
  return `case "%f" in *.history) ;; *) [ "%f" \\> "${newest}" ] && exit 1 ;; esac; ${inner}`;
}
