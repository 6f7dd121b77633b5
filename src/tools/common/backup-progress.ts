// Progress of a backup tool that does not report through pg_stat_progress_basebackup, against the size of the
// databases it copies (read once from the primary): a fraction the tool writes itself (pgBackRest's lock file), or
// the bytes its process has read so far (barman-cloud-backup reads every data file once; Linux's /proc/<pid>/io).
import { readdirSync, readFileSync } from 'node:fs';
import { bytesReadByProcess } from '../../exec/processes.js';
import type { PostgresInstance } from '../../providers/provider.js';
import type { BackupProgress } from '../backup-method.js';

/** Bytes done as the tool's own fraction (0..1) of the databases' size; undefined while it says nothing. */
export function fractionProgress(primary: PostgresInstance, fraction: () => number | undefined): BackupProgress {
  const total = databasesBytes(primary);
  return async () => {
    const f = fraction();
    if (f === undefined) return undefined;
    const t = await total();
    return { done: Math.round(Math.min(1, Math.max(0, f)) * t), total: t };
  };
}

/**
 * Bytes read by the tool's process (the oldest one whose command line has every `marker`: forked workers share
 * it and read what the process already counted), capped at the databases' size. Nothing where /proc is not.
 */
export function processReadProgress(primary: PostgresInstance, markers: string[]): BackupProgress {
  const total = databasesBytes(primary);
  return async () => {
    const read = bytesReadBy(markers);
    if (read === undefined) return undefined;
    const t = await total();
    return { done: Math.min(read, t), total: t };
  };
}

function databasesBytes(primary: PostgresInstance): () => Promise<number> {
  let bytes: Promise<number> | undefined;
  return () => (bytes ??= primary.query<{ bytes: string }>('select sum(pg_database_size(oid))::text as bytes from pg_database').then((r) => Number(r[0]?.bytes ?? 0)));
}

function bytesReadBy(markers: string[]): number | undefined {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number);
  } catch {
    return undefined;
  }
  const matching = pids.filter((pid) => {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      return markers.every((m) => cmdline.includes(m));
    } catch {
      return false; // ended meanwhile, or not ours to read
    }
  });
  const oldest = Math.min(...matching);
  return Number.isFinite(oldest) ? bytesReadByProcess(oldest) : undefined;
}
