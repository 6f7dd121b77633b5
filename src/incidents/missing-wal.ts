// missing-wal: one WAL segment disappears from the archive, between the base backup and the target. Recovery
// cannot get past it; pgdrill must say which segment, the last recoverable point, and that the RPO objective
// cannot be met, never pass silently.
import { unlinkSync } from 'node:fs';
import path from 'node:path';
import { switchAndWaitArchived } from '../backup/wal-archive.js';
import { PgdrillError } from '../errors.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../recovery/recovery-target.js';
import { databaseMoment, type Incident, type IncidentContext, type IncidentFacts, type IncidentRecord, type ProtectedTable } from './incident.js';

export const missingWalFacts: IncidentFacts = {
  // It deletes a segment from the run's plain archive folder; other methods keep WAL in their own repository.
  requires: 'plainWalArchive',
  detectedBy: ['WAL archive continuous'],
};

export class MissingWalIncident implements Incident {
  readonly kind = 'missing-wal';
  readonly primarySurvives = true;

  describe(): string {
    return 'delete one archived WAL segment written after the base backup';
  }

  async preflight(): Promise<ProtectedTable[]> {
    return [];
  }

  async inject({ primary, backupContext: ctx, backup }: IncidentContext): Promise<IncidentRecord> {
    if (!ctx.archiveDir) throw new PgdrillError('missing-wal needs a WAL archive folder; this backup method has none');
    // Make sure a segment holding post-backup commits is archived, then one more after it, so the hole is
    // strictly between the backup and the end of the archive.
    const first = await switchAndArchive(primary, ctx.archiveDir, ctx.signal);
    await primary.query('select pg_sleep(0.3)');
    await switchAndArchive(primary, ctx.archiveDir, ctx.signal);
    const [seg] = await primary.query<{ backup_seg: string }>('select pg_walfile_name($1::pg_lsn) as backup_seg', [backup.endLsn ?? '0/0']);
    const victim = first > (seg?.backup_seg ?? '') ? first : undefined;
    if (!victim) throw new PgdrillError('could not find an archived WAL segment after the base backup to remove');
    const moment = await databaseMoment(primary);
    unlinkSync(path.join(ctx.archiveDir, victim));
    return {
      kind: this.kind,
      description: `WAL segment ${victim} is missing from the archive`,
      statement: `rm ${path.join(ctx.archiveDir, victim)}`,
      lsnBefore: moment.lsn,
      lsnAfter: moment.lsn,
      commitTime: moment.commitTime,
      commitMicros: moment.commitMicros,
      details: { missingSegment: victim, backupEndSegment: seg?.backup_seg ?? '' },
    };
  }

  /** Recover as far as the archive allows: that is what an operator would try. */
  beforeIncidentTarget(): RecoveryTarget {
    return { kind: 'latest' };
  }
}

async function switchAndArchive(primary: PostgresInstance, archiveDir: string, signal: AbortSignal): Promise<string> {
  const [row] = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
  const flush = await switchAndWaitArchived(primary, archiveDir, row?.lsn ?? '0/0', 30_000, signal);
  return flush.segment;
}
