// A folder written by pg_basebackup, and its WAL archive, in drill files (source.basebackup).
import { z } from 'zod';

export const basebackupSource = z.strictObject({
  /** A folder written by pg_basebackup: plain format, or -Ft with or without -z (base.tar[.gz], pg_wal.tar[.gz]). */
  path: z.string().min(1),
  /** The WAL archive folder (segments plain or .gz); without it only the backup itself can be restored. */
  walArchive: z.string().min(1).optional(),
});
