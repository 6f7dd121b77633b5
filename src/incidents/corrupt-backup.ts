// corrupt-backup: bytes flip in a data file of the base backup after it was taken. The backup method's own
// verification (pg_verifybackup against the backup manifest, pgbackrest verify against its manifest's checksums)
// must catch it before any restore; where the tool keeps no checksum (barman-cloud), the restore and pgdrill's
// integrity pass must. The backup is the drill's own disposable copy (a folder, or objects of the drill's own
// prefix), never a source repository.
import type { BackupArtifact, BackupContext, BackupMethod } from '../tools/backup-method.js';
import { PgdrillError } from '../errors.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import { CHECKSUMS_CHECK, HEAPAM_CHECK, PAGES_CHECK, READ_CHECK, VALUES_CHECK } from '../verify/integrity/check-names.js';
import { type Incident, type IncidentFacts, type IncidentRecord, type ProtectedTable } from './incident.js';

export const corruptBackupFacts: IncidentFacts = {
  requires: 'damageableBackup',
  detectedBy: ['backup-verified', VALUES_CHECK, READ_CHECK, HEAPAM_CHECK, CHECKSUMS_CHECK, PAGES_CHECK],
};

export class CorruptBackupIncident implements Incident {
  readonly kind = 'corrupt-backup';
  readonly primarySurvives = true;
  private record: IncidentRecord | undefined;

  describe(): string {
    return 'flip bytes in the largest data file of the base backup';
  }

  async preflight(): Promise<ProtectedTable[]> {
    return [];
  }

  async afterBackup(ctx: BackupContext, backup: BackupArtifact, method: BackupMethod): Promise<IncidentRecord> {
    if (!method.damageBackup) throw new PgdrillError(`corrupt-backup cannot damage a ${method.name} backup`);
    const damage = await method.damageBackup(ctx, backup);
    const now = new Date();
    this.record = {
      kind: 'corrupt-backup',
      description: `${damage.bytes} bytes of ${damage.file} in the base backup are corrupted after the backup was taken (${damage.where})`,
      statement: `flip ${damage.bytes} bytes at offset ${damage.offset} of ${damage.where}`,
      lsnBefore: backup.endLsn ?? '',
      lsnAfter: backup.endLsn ?? '',
      commitTime: now.toISOString(),
      commitMicros: now.getTime() * 1000,
      details: { file: damage.file, where: damage.where, offset: String(damage.offset) },
    };
    return this.record;
  }

  /**
   * The damage was done to the backup already. Reached only when the backup's verification missed it: the drill
   * then goes on and restores the damaged backup, and is judged on whether the restore or the integrity pass found it.
   */
  async inject(): Promise<IncidentRecord> {
    if (!this.record) throw new PgdrillError('corrupt-backup damages the backup after it is taken; no backup was damaged');
    return this.record;
  }

  beforeIncidentTarget(): RecoveryTarget {
    return { kind: 'latest' };
  }
}
