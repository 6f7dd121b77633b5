// What a data folder's global/pg_control says about its WAL: the segment size chosen at initdb (--wal-segsize:
// 1 MB to 1 GB; 16 MB by default). WAL file names and LSNs map to each other through it, so a 64 MB cluster's
// segment ...30 starts at 0/C0000000, not 0/30000000. The field is found the way PostgreSQL itself checks the
// file's compatibility: after the float-format marker (1234567.0) come blcksz, relseg_size, xlog_blcksz and
// xlog_seg_size, in every major since 11 (src/include/catalog/pg_control.h, ControlFileData).
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** initdb's default, and what a segment is when nothing says otherwise. */
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

const FLOAT_FORMAT = 1234567.0;

const powerOfTwo = (n: number, min: number, max: number) => n >= min && n <= max && (n & (n - 1)) === 0;

/** The WAL segment size recorded in a pg_control file's bytes; undefined when the bytes are not one. */
export function walSegmentSize(control: Buffer): number | undefined {
  for (let at = 0; at + 8 + 16 <= control.length; at += 4) {
    if (control.readDoubleLE(at) !== FLOAT_FORMAT) continue;
    const [blcksz, relsegSize, xlogBlcksz, segSize] = [0, 4, 8, 12].map((o) => control.readUInt32LE(at + 8 + o));
    if (powerOfTwo(blcksz ?? 0, 1024, 32768) && (relsegSize ?? 0) > 0 && powerOfTwo(xlogBlcksz ?? 0, 1024, 65536) && powerOfTwo(segSize ?? 0, 1 << 20, 1 << 30)) return segSize;
  }
  return undefined;
}

/** The segment size of a data folder (its global/pg_control); undefined when it cannot be read. */
export function dataFolderSegmentSize(dataDir: string): number | undefined {
  try {
    return walSegmentSize(readFileSync(path.join(dataDir, 'global', 'pg_control')));
  } catch {
    return undefined;
  }
}

/**
 * When pg_control was last written (ControlFileData.time, seconds since the epoch, right after the fixed header in
 * every major): in a base backup's copy, the end of the checkpoint the backup started from. An absolute time, unlike
 * the START TIME of backup_label, which the server writes in its own time zone with an abbreviation.
 */
export function controlFileTime(control: Buffer): Date | undefined {
  if (control.length < 32) return undefined;
  const seconds = Number(control.readBigInt64LE(24));
  const date = new Date(seconds * 1000);
  return seconds > 946_684_800 && seconds < 4_102_444_800 ? date : undefined; // 2000..2100: anything else is not a time
}
