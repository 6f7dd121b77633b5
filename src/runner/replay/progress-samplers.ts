// What a long phase can say about how far it got, read from the server or the files being written: bytes the
// server streamed to pg_basebackup, bytes of the data folder being restored, WAL segments fetched by the
// restore_command against the WAL the target needs.
import { existsSync } from 'node:fs';
import { folderSize } from '../../tools/common/folder-size.js';
import type { PostgresInstance } from '../../providers/provider.js';
import { parseLsn } from '../../pg/lsn.js';
import type { ProgressSample, ProgressSampler } from '../timeline.js';
import { readWalFetch } from './wal-fetch.js';

/** pg_stat_progress_basebackup on the primary (pg_basebackup and Barman's postgres method; no row for other tools). */
export function basebackupProgress(primary: PostgresInstance): ProgressSampler {
  return async () => {
    const [row] = await primary.query<{ done: string; total: string | null }>('select backup_streamed::text as done, backup_total::text as total from pg_stat_progress_basebackup limit 1');
    return row ? { done: Number(row.done), total: row.total ? Number(row.total) : undefined } : undefined;
  };
}

/** Bytes of a data folder being restored, against the backup's size when the tool says it. */
export function folderProgress(dir: string, total: number | undefined): ProgressSampler {
  return () => (existsSync(dir) ? { done: folderSize(dir), total: total || undefined } : undefined);
}

/** WAL segments the restore_command delivered (its timing log) against the WAL from the backup to the target. */
export function walProgress(fetchLog: string, fromLsn: string | undefined, toLsn: string | undefined, segmentBytes: number): ProgressSampler {
  const total = fromLsn && toLsn ? Number(parseLsn(toLsn) - parseLsn(fromLsn)) : undefined;
  return (): ProgressSample | undefined => {
    const fetched = readWalFetch(fetchLog);
    return fetched ? { done: fetched.fetched * segmentBytes, total: total && total > 0 ? total : undefined } : undefined;
  };
}
