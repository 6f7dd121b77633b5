// The disk the restore wrote to, measured: 64 MiB written into the work folder and flushed (fdatasync), timed,
// removed. A restore faster than this ran from memory (the page cache held the copy); a backup larger than the
// machine's memory cannot, so the forecast at production size restores no faster than the disk writes. Runs after
// verification, outside the RTO, only for a drill with objectives.forecast (it costs about 0.2 s on a 350 MB/s disk).
import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';

export interface DiskWrite {
  bytes: number;
  seconds: number;
  bytesPerSecond: number;
}

const CHUNK = 8 * 2 ** 20;

/** Writes `bytes` (random, so no file system compresses them away) into `folder`, flushes, and removes the file. */
export async function probeDiskWrite(folder: string, bytes = 64 * 2 ** 20): Promise<DiskWrite> {
  const file = path.join(folder, 'pgdrill-disk-probe');
  const chunk = randomBytes(CHUNK);
  const handle = await open(file, 'w', 0o600);
  try {
    const started = performance.now();
    for (let done = 0; done < bytes; done += CHUNK) await handle.write(chunk, 0, Math.min(CHUNK, bytes - done));
    await handle.datasync();
    const seconds = (performance.now() - started) / 1000;
    return { bytes, seconds, bytesPerSecond: bytes / seconds };
  } finally {
    await handle.close();
    await rm(file, { force: true });
  }
}
