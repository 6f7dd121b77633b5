// The prologue of a drill that builds its own primary: the primary and its workload, a backup, the incident (its
// declaration starts the RTO), the WAL the target needs archived and the archive checked for holes. It yields
// what the one recovery (recover.ts) restores and what proves it right: the pre-incident truth and the markers.
import type { Drill } from '../../drill/drill.js';
import { DrillFinding, EnvironmentError } from '../../errors.js';
import type { CommandRunner } from '../../exec/command-runner.js';
import type { OsUser } from '../../exec/os-user.js';
import type { IncidentRecord } from '../../incidents/incident.js';
import type { RecoveryTarget } from '../../pg/recovery-target.js';
import type { PostgresInstance } from '../../providers/provider.js';
import { factsOf } from '../../tools/registry.js';
import type { BackupArtifact } from '../../tools/backup-method.js';
import { markerOrder } from '../../verify/measure-rpo.js';
import { HEARTBEAT_TABLE } from '../../model/marker.js';
import { continuityCheck, missingWalFinding } from '../../verify/wal-continuity.js';
import type { DrillOutcome, SelfContainedSeen } from '../outcome.js';
import type { Recoverable } from '../recover.js';
import { resolveTarget } from './resolve-target.js';
import type { Stage } from './stage.js';
import { takeBackup } from './stage-backup.js';
import { strike } from './stage-incident.js';
import { startPrimary } from './stage-primary.js';

/** Runs the prologue, recording what it saw; returns what the recovery needs. */
export async function selfContainedPrologue(drill: Drill, s: Stage, o: DrillOutcome): Promise<Recoverable> {
  const seen = o.prologue as SelfContainedSeen;
  o.environment.info = await s.provider.describe();
  await checkWorkDirReachable(s.session.runner, s.session.workDir, s.serverUser);
  o.environment.toolVersions[s.method.name] = await s.method.version(s.session.ctx);

  const primary = await startPrimary(drill, s);
  o.environment.settings = primary.settings;
  const taken = await takeBackup(s, primary.primary);
  seen.backup = taken.backup;
  if (taken.damage) seen.incident = taken.damage;
  o.checks.push(...taken.checks);
  if (!taken.verified) throw new DrillFinding(`the base backup failed verification, so no restore was attempted: ${taken.checks[0]?.detail ?? ''}`);

  const struck = await strike(drill, s, primary, taken.backup);
  Object.assign(seen, { incident: struck.record, ledger: struck.ledger, declaredAt: struck.declaredAt });
  o.checks.push(...(struck.record.detections ?? []));

  const target = resolveTarget(drill, { incident: s.incident, record: struck.record, ledger: struck.ledger, backup: taken.backup, pointInTime: factsOf(s.method).pointInTime, method: s.method.name });
  o.recovery.target = target;
  const walEnd = await archiveWal(drill, s, target, struck.record, s.incident.primarySurvives ? primary.primary : undefined);
  await checkArchive(s, o, target, { record: struck.record, backup: taken.backup, archivedUntil: walEnd, restorePointLsn: struck.restorePointLsn });

  const { ctx } = s.session;
  return {
    instanceName: 'restore',
    restore: (request) => s.method.restore(ctx, taken.backup, request),
    target,
    startLsn: taken.backup.startLsn,
    restoredBytes: taken.backup.dataBytes,
    walEnd: { lsn: walEnd },
    password: s.password,
    evidence: {
      backupEndTime: taken.backup.endTime,
      truth: struck.truth,
      incident: struck.record,
      markers: {
        ledger: struck.ledger,
        lossMicros: struck.record.commitMicros,
        order: markerOrder(struck.record),
        recovered: async (restored) => {
          try {
            return (await restored.query<{ id: string }>(`select id::text from ${HEARTBEAT_TABLE}`)).map((r) => Number(r.id));
          } catch {
            return []; // the heartbeat table itself is missing: every marker was lost
          }
        },
      },
    },
    protectedTables: struck.truth.fingerprints.map((f) => (f.database ? `${f.database}: ${f.table}` : f.table)),
  };
}

/** A hole in the archive leads the diagnosis: which segment, how far recovery can go, what the RPO cannot be. */
export function missingWalLead(drill: Drill, o: DrillOutcome): void {
  const seen = o.prologue as SelfContainedSeen;
  const c = seen.continuity;
  if (!c || c.continuous) return;
  const details = seen.incident?.details;
  const deleted = details?.['missingSegment'] === c.missingSegment ? details?.['deleted'] : undefined;
  o.findings.push(missingWalFinding(c, { confirmation: o.recovery.confirmation, verify: o.recovery.verify, backupEndTime: seen.backup?.endTime, rpoObjectiveSeconds: drill.objectives.rpo / 1000, deleted }));
}

/** Makes sure the WAL the target needs is in the archive (an operator's first step: inside the RTO). */
async function archiveWal(drill: Drill, s: Stage, target: RecoveryTarget, record: IncidentRecord, primary: PostgresInstance | undefined): Promise<string> {
  const { ctx } = s.session;
  return s.timeline.phase(
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
}

/** pgdrill's own proof that the archive holds every segment the target needs, not an operator's step: outside the RTO. */
async function checkArchive(s: Stage, o: DrillOutcome, target: RecoveryTarget, at: { record: IncidentRecord; backup: BackupArtifact; archivedUntil: string; restorePointLsn?: string | undefined }): Promise<void> {
  await s.timeline.phase('check-archive', async () => {
    const neededLsn = lsnNeededFor(target, at);
    const continuity = await s.method.walContinuity(s.session.ctx, at.backup, neededLsn);
    (o.prologue as SelfContainedSeen).continuity = continuity;
    if (continuity.applicable !== false) o.checks.push(continuityCheck(continuity, neededLsn));
  });
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

/** The server user must be able to reach the work folder (a parent like /root blocks it: initdb runs as that user). */
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
