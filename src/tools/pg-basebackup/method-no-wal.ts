// pg_basebackup-no-wal: the base backup alone (with the WAL it needs to be consistent, -Xs) and no archive.
// Only the backup's own point can be restored (`immediate`): the drill shows what losing everything since the
// backup costs.
import type { ArchiveFlush, BackupArtifact, BackupContext, RestorePlan, RestoreRequest, WalContinuity, MethodFacts } from '../backup-method.js';
import { restoreBaseBackup } from './restore.js';
import { PgBasebackupMethod } from './method.js';

export class PgBasebackupNoWalMethod extends PgBasebackupMethod {
  static override readonly facts: MethodFacts = { pointInTime: false, removableWal: false, damageableBackup: true };
  override readonly name = 'pg_basebackup-no-wal';

  override primarySettings(): Record<string, string> {
    return { archive_mode: 'off' };
  }

  override async archiveThrough(): Promise<ArchiveFlush> {
    return { segment: '', seconds: 0 };
  }

  override async walContinuity(): Promise<WalContinuity> {
    return { continuous: true, applicable: false, firstSegment: '', lastSegment: '' };
  }

  override async archiveEnd(): Promise<string | undefined> {
    return undefined;
  }

  /** No recovery.signal: the copy starts with crash recovery from its backup_label and the WAL inside it. */
  override restore(ctx: BackupContext, backup: BackupArtifact, request: RestoreRequest): Promise<RestorePlan> {
    return restoreBaseBackup(ctx, request, { folder: backup.location });
  }
}
