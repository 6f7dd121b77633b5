// missing-wal: one WAL segment disappears from the archive, between the base backup and the target. Recovery
// cannot get past it; pgdrill must say which segment, the last recoverable point, and that the RPO objective
// cannot be met, never pass silently. The backup method deletes it from the drill's own archive: a file of the
// archive folder, or an object of the drill's own prefix on object storage (pgBackRest repo-rm, barman-cloud).
import type { BackupContext, BackupMethod } from '../tools/backup-method.js';
import { PgdrillError } from '../errors.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import { databaseMoment, type Incident, type IncidentContext, type IncidentFacts, type IncidentRecord, type ProtectedTable } from './incident.js';

export const missingWalFacts: IncidentFacts = {
  requires: 'removableWal',
  detectedBy: ['WAL archive continuous'],
};

/** A remote archive (object storage) may take a while to list a new segment. */
const ARCHIVE_DEADLINE_MS = 60_000;

export class MissingWalIncident implements Incident {
  readonly kind = 'missing-wal';
  readonly primarySurvives = true;

  describe(): string {
    return 'delete one archived WAL segment written after the base backup';
  }

  async preflight(): Promise<ProtectedTable[]> {
    return [];
  }

  async inject({ primary, backupContext: ctx, backup, method }: IncidentContext): Promise<IncidentRecord> {
    if (!method.removeArchivedSegment) throw new PgdrillError(`missing-wal cannot delete a segment from a ${method.name} archive`);
    // Make sure a segment holding post-backup commits is archived, then one more after it, so the hole is
    // strictly between the backup and the end of the archive.
    const first = await switchAndArchive(primary, method, ctx);
    await primary.query('select pg_sleep(0.3)');
    await switchAndArchive(primary, method, ctx);
    const [seg] = await primary.query<{ backup_seg: string }>('select pg_walfile_name($1::pg_lsn) as backup_seg', [backup.endLsn ?? '0/0']);
    const victim = first > (seg?.backup_seg ?? '') ? first : undefined;
    if (!victim) throw new PgdrillError('could not find an archived WAL segment after the base backup to remove');
    const moment = await databaseMoment(primary);
    const removed = await method.removeArchivedSegment(ctx, victim);
    return {
      kind: this.kind,
      description: `WAL segment ${victim} is missing from the archive (${removed} deleted)`,
      statement: `delete ${removed}`,
      lsnBefore: moment.lsn,
      lsnAfter: moment.lsn,
      commitTime: moment.commitTime,
      commitMicros: moment.commitMicros,
      details: { missingSegment: victim, backupEndSegment: seg?.backup_seg ?? '', deleted: removed },
    };
  }

  /** Recover as far as the archive allows: that is what an operator would try. */
  beforeIncidentTarget(): RecoveryTarget {
    return { kind: 'latest' };
  }
}

async function switchAndArchive(primary: PostgresInstance, method: BackupMethod, ctx: BackupContext): Promise<string> {
  const [row] = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
  return (await method.archiveThrough(ctx, primary, row?.lsn ?? '0/0', ARCHIVE_DEADLINE_MS)).segment;
}
