// The run's WAL archive folder: an idempotent archive_command, the matching restore_command, and waiting for a
// segment to land (event-driven with a deadline, PITR-FACTS #3).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError, TimeoutError } from '../errors.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { ArchiveFlush } from './backup-method.js';

/**
 * Copies a segment into the archive through a temporary name, so a crash never leaves a half file; a segment
 * already archived with the same content succeeds (Postgres retries after failures), a different one fails.
 * https://www.postgresql.org/docs/15/continuous-archiving.html#BACKUP-ARCHIVING-WAL
 */
export function archiveCommand(archiveDir: string): string {
  const dest = `${archiveDir}/%f`;
  return `if [ -f '${dest}' ]; then cmp -s '%p' '${dest}'; else cp '%p' '${dest}.tmp' && mv '${dest}.tmp' '${dest}'; fi`;
}

export function restoreCommand(archiveDir: string): string {
  return `cp '${archiveDir}/%f' '%p'`;
}

/** Switches WAL and waits until the segment holding `lsn` is archived. */
export async function switchAndWaitArchived(
  primary: PostgresInstance,
  archiveDir: string,
  lsn: string,
  deadlineMs: number,
  signal: AbortSignal,
): Promise<ArchiveFlush> {
  const started = performance.now();
  const [row] = await primary.query<{ segment: string }>(
    'select pg_walfile_name($1::pg_lsn) as segment from (select pg_switch_wal()) s',
    [lsn],
  );
  const segment = row?.segment ?? '';
  const file = path.join(archiveDir, segment);
  while (!existsSync(file)) {
    if (signal.aborted) throw new InterruptedError();
    if (performance.now() - started > deadlineMs) {
      const [stat] = await primary.query<{ last_failed_wal: string | null; failed_count: string }>(
        'select last_failed_wal, failed_count::text from pg_stat_archiver',
      );
      throw new TimeoutError(
        `WAL segment ${segment} did not reach the archive ${archiveDir} within ${deadlineMs / 1000}s ` +
          `(archiver failures: ${stat?.failed_count ?? '?'}, last failed: ${stat?.last_failed_wal ?? 'none'})`,
        'check archive_command in the primary server log',
      );
    }
    await sleep(10);
  }
  return { segment, seconds: (performance.now() - started) / 1000 };
}

export function archivedSegments(archiveDir: string): string[] {
  return existsSync(archiveDir) ? readdirSync(archiveDir).filter((f) => /^[0-9A-F]{24}$/.test(f)).sort() : [];
}
