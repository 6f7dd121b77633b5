// primary-loss: the primary host is gone. The server is killed (SIGKILL: no shutdown checkpoint, no last WAL
// flush to the archive) and its whole data folder, pg_wal included, is destroyed. Only the base backup and
// the WAL archive remain, so recovery replays to the end of the archive: the RPO is the unarchived window.
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { HEARTBEAT_TABLE } from '../model/marker.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import { databaseMoment, type Incident, type IncidentContext, type IncidentRecord, type ProtectedTable } from './incident.js';

export class PrimaryLossIncident implements Incident {
  readonly kind = 'primary-loss';
  readonly primarySurvives = false;

  describe(): string {
    return 'kill -9 the primary and delete its data folder';
  }

  async preflight(): Promise<ProtectedTable[]> {
    return [];
  }

  async inject({ primary }: IncidentContext): Promise<IncidentRecord> {
    await untilCommitsAwaitArchiving(primary);
    const [archiver] = await primary.query<{ last: string | null; timeout: string }>(
      `select last_archived_wal as last, current_setting('archive_timeout') as timeout from pg_stat_archiver`,
    );
    const moment = await databaseMoment(primary);
    await primary.crash();
    rmSync(primary.dataDir, { recursive: true, force: true });
    return {
      kind: this.kind,
      description: 'the primary host is lost: the server is killed and its data folder, pg_wal included, destroyed',
      statement: `SIGKILL the postmaster; rm -rf ${primary.dataDir}`,
      lsnBefore: moment.lsn,
      lsnAfter: moment.lsn,
      commitTime: moment.commitTime,
      commitMicros: moment.commitMicros,
      destroysPrimary: true,
      details: {
        lastArchivedSegment: archiver?.last ?? 'none',
        archiveTimeout: archiver?.timeout ?? 'unknown',
        walInsertPositionAtLoss: moment.lsn,
      },
    };
  }

  beforeIncidentTarget(): RecoveryTarget {
    return { kind: 'latest' };
  }
}

/**
 * A busy primary always has committed transactions waiting in its current, unarchived WAL segment: the loss
 * strikes in that state (a marker committed after the last segment reached the archive), not in the rare
 * instant right after a switch, so the measured RPO is the real unarchived window.
 */
async function untilCommitsAwaitArchiving(primary: PostgresInstance): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    const [row] = await primary.query<{ waiting: boolean }>(
      `select coalesce((select max(pg_xact_commit_timestamp(xmin)) from ${HEARTBEAT_TABLE})
                       > coalesce((select last_archived_time from pg_stat_archiver), '-infinity'), false) as waiting`,
    );
    if (row?.waiting) return;
    await sleep(20);
  }
}
