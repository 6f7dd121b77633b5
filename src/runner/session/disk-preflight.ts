// Before a restore of a backup pgdrill did not make: is there room for it? The backup's size as the tool reports
// it (uncompressed where known) plus headroom for WAL and the server, against the free space of the work folder.
// Too little is exit 3 with both numbers, before anything is written.
import { statfsSync } from 'node:fs';
import { EnvironmentError } from '../../errors.js';
import type { ChosenBackup } from '../../tools/source.js';

/** Headroom on top of the backup: WAL segments fetched during replay, the server's own files, the logs. */
const HEADROOM_BYTES = 512 * 2 ** 20;

const gib = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(b / 2 ** 20)} MiB`);

export function diskPreflight(backup: ChosenBackup, workDir: string): { needBytes: number; freeBytes: number } {
  const size = backup.restoredBytes ?? backup.sizeBytes;
  const needBytes = Math.ceil(size * 1.1) + HEADROOM_BYTES;
  const fs = statfsSync(workDir);
  const freeBytes = Number(fs.bavail) * Number(fs.bsize);
  if (size > 0 && needBytes > freeBytes) {
    throw new EnvironmentError(
      `not enough disk to restore backup ${backup.label}: it needs about ${gib(needBytes)} (${gib(size)}${backup.restoredBytes ? '' : ' as stored'} + 10% + ${gib(HEADROOM_BYTES)} for WAL and the server) and the work folder ${workDir} has ${gib(freeBytes)} free`,
      'pass --work-dir (or PGDRILL_WORK_DIR) on a disk with more room',
    );
  }
  return { needBytes, freeBytes };
}
