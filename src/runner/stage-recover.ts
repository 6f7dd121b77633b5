// Stage 4, the part every drill shares: make sure the WAL the target needs is archived, check the archive for
// holes, restore into a new instance, replay to the target, verify, then check the copy's integrity. The RTO is
// the sum of the phases marked inRto here.
import path from 'node:path';
import type { BackupArtifact, RestorePlan, WalContinuity } from '../tools/backup-method.js';
import { WAL_SEGMENT_BYTES } from '../tools/common/wal-archive.js';
import type { Drill } from '../drill/drill.js';
import type { IncidentRecord } from '../incidents/incident.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import type { ReadyEvent } from '../providers/readiness.js';
import type { CheckResult } from '../model/check-result.js';
import type { PreIncidentTruth } from '../verify/truth.js';
import { verifyRecovery, type VerifyOutcome } from '../verify/verify-recovery.js';
import { continuityCheck } from '../verify/wal-continuity.js';
import type { Marker } from './heartbeat.js';
import { PINNED_SETTINGS } from '../pg/pinned-settings.js';
import type { Stage } from './stage.js';
import { integrityStage, type IntegrityOutcome } from './stage-integrity.js';
import { folderProgress, walProgress } from './progress-samplers.js';
import { fetchCommand, readWalFetch, type WalFetch } from './wal-fetch.js';
import { prefetchFor, replayWith } from './wal-prefetch.js';

export interface RecoverInputs {
  target: RecoveryTarget;
  backup: BackupArtifact;
  record: IncidentRecord;
  truth: PreIncidentTruth;
  ledger: Marker[];
  /** The primary, when the incident left it running (its WAL can still be switched into the archive). */
  primary: PostgresInstance | undefined;
  restorePointLsn?: string | undefined;
}

/** What recovery observed, reported as it happens (a later phase may fail). */
export interface RecoverObserver {
  continuity(c: WalContinuity, check: CheckResult | undefined): void;
  restored(plan: RestorePlan, ready: ReadyEvent | undefined): void;
  integrity(outcome: IntegrityOutcome | undefined): void;
  /** Time spent in restore_command during replay, when the method has one. */
  walFetch(fetch: WalFetch | undefined): void;
}


export async function recover(drill: Drill, s: Stage, input: RecoverInputs, seen: RecoverObserver): Promise<VerifyOutcome> {
  const { ctx } = s.session;
  const { target, backup, record, primary } = input;
  const archivedUntil = await s.timeline.phase(
    'archive-wal',
    async () => {
      if (!primary) return (await s.method.archiveEnd(ctx)) ?? record.lsnBefore;
      const [now] = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      const lsn = now?.lsn ?? record.lsnAfter;
      await s.method.archiveThrough(ctx, primary, lsn, drill.timeouts.step);
      return target.kind === 'latest' ? ((await s.method.archiveEnd(ctx)) ?? lsn) : lsn;
    },
    { inRto: true },
  );
  // pgdrill's own proof, not an operator's step: outside the RTO.
  await s.timeline.phase('check-archive', async () => {
    const neededLsn = lsnNeededFor(target, { ...input, archivedUntil });
    const continuity = await s.method.walContinuity(ctx, backup, neededLsn);
    seen.continuity(continuity, continuity.applicable === false ? undefined : continuityCheck(continuity, neededLsn));
  });

  const plan = await s.timeline.phase('restore-files', () => s.method.restore(ctx, backup, { target, timeline: drill.recovery.timeline, instanceName: 'restore' }), {
    inRto: true,
    progress: folderProgress(path.join(ctx.workDir, 'restore', 'data'), backup.dataBytes),
  });
  seen.restored(plan, undefined);
  // The server runs the method's restore_command inside a timing wrapper, so the fetch shows apart from replay.
  const fetchLog = path.join(ctx.workDir, 'wal-fetch.log');
  const prefetch = prefetchFor(plan, ctx.workDir, fetchLog, ctx.serverUser);
  const command = plan.kind === 'physical' ? fetchCommand(plan, fetchLog, prefetch?.stage) : undefined;
  const restored: PostgresInstance =
    plan.kind === 'physical'
      ? await s.timeline.phase(
          'wal-replay',
          () =>
            replayWith(prefetch, () =>
              s.provider.start(ctx, { name: 'restore', dataDir: plan.dataDir, settings: { ...plan.settings, ...(command ? { restore_command: command } : {}), ...PINNED_SETTINGS }, password: s.password, deadlineMs: drill.recovery.timeout }),
            ),
          { inRto: true, progress: walProgress(fetchLog, backup.startLsn, archivedUntil) },
        )
      : await s.timeline.phase('logical-restore', () => plan.load(s.password), { inRto: true });
  s.session.defer('stop the restored instance', () => restored.stop('immediate'));
  seen.restored(plan, restored.ready);
  seen.walFetch(readWalFetch(fetchLog, prefetch !== undefined));

  const verified = await s.timeline.phase(
    'verify',
    () =>
      verifyRecovery({
        drill,
        restored,
        target,
        truth: input.truth,
        incident: record,
        ledger: input.ledger,
        backupEndTime: backup.endTime,
        logical: plan.kind === 'logical',
        archiveEnd: target.kind === 'latest' && plan.kind === 'physical' ? { newestSegmentLsn: archivedUntil, segmentBytes: WAL_SEGMENT_BYTES } : undefined,
      }),
    { inRto: true },
  );
  const protectedTables = input.truth.fingerprints.map((f) => (f.database ? `${f.database}: ${f.table}` : f.table));
  seen.integrity(await integrityStage(drill, { timeline: s.timeline, restored, runner: ctx.runner, pgChecksums: s.provider.tool('pg_checksums'), signal: s.signal, protectedTables }));
  return verified;
}

/** How far the archive must reach for this target. */
function lsnNeededFor(target: RecoveryTarget, at: { record: IncidentRecord; backup: BackupArtifact; archivedUntil: string; restorePointLsn?: string | undefined }): string {
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
