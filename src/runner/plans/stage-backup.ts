// Stage 2: the base backup, any damage the incident does to it, and the method's own verification of it.
import type { BackupArtifact } from '../../tools/backup-method.js';
import type { IncidentRecord } from '../../incidents/incident.js';
import { databaseMoment } from '../../incidents/incident.js';
import type { PostgresInstance } from '../../providers/provider.js';
import type { CheckResult } from '../../model/check-result.js';
import { basebackupProgress } from '../replay/progress-samplers.js';
import type { Stage } from './stage.js';

export interface BackupStage {
  backup: BackupArtifact;
  /** The incident's damage to the backup itself (corrupt-backup). */
  damage?: IncidentRecord;
  /** The method's verification first, then its own extra checks. */
  checks: CheckResult[];
  verified: boolean;
}

export async function takeBackup(s: Stage, primary: PostgresInstance): Promise<BackupStage> {
  const { ctx } = s.session;
  const backup = await s.timeline.phase('base-backup', async () => {
    const taken = await s.method.takeBackup(ctx, primary);
    return { ...taken, endTime: taken.endTime ?? (await databaseMoment(primary)).commitTime };
  }, { progress: s.method.backupProgress?.(ctx, primary) ?? basebackupProgress(primary) });
  const damageBackup = s.incident.afterBackup?.bind(s.incident);
  const damage = damageBackup ? await s.timeline.phase('damage-backup', () => damageBackup(ctx, backup, s.method)) : undefined;
  const verification = await s.timeline.phase('verify-backup', () => s.method.verify(ctx, backup));
  const extra = (await s.method.extraChecks?.(ctx)) ?? [];
  return { backup, ...(damage ? { damage } : {}), checks: [verification, ...extra], verified: verification.status === 'passed' };
}
