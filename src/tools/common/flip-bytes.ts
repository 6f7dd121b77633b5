// The damage the corruption incidents do to a file: bytes XORed in place (a data file of the primary, a file of
// the drill's own backup). One place, so every incident damages the same way.
import { closeSync, openSync, readdirSync, readSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

/** How many bytes a corruption incident flips: enough to break a page checksum or a tool's file checksum. */
export const FLIPPED_BYTES = 16;

/** XORs `count` bytes at `offset` of a file. */
export function flipBytes(file: string, offset: number, count: number): void {
  const fd = openSync(file, 'r+');
  try {
    const buf = Buffer.alloc(count);
    readSync(fd, buf, 0, count, offset);
    for (let i = 0; i < count; i++) buf[i] = (buf[i] ?? 0) ^ 0xff;
    writeSync(fd, buf, 0, count, offset);
  } finally {
    closeSync(fd);
  }
}

/** The largest relation file (base/<db>/<relfilenode>) of a plain data folder or base backup, or undefined. */
export function largestDataFile(dataDir: string): { file: string; size: number } | undefined {
  const base = path.join(dataDir, 'base');
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /^\d+$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .map((file) => ({ file, size: statSync(file).size }))
    .sort((a, b) => b.size - a.size)[0];
}
