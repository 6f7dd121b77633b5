// SHA-256 of files and folder trees (streamed, so large logs do not sit in memory).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, readdirSync } from 'node:fs';
import path from 'node:path';

export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every regular file below `dir`, as paths relative to it with forward slashes, sorted. Links are not followed. */
export function listFiles(dir: string): string[] {
  return listEntries(dir).files;
}

/**
 * Regular files and symbolic links below `dir` (relative, forward slashes, sorted). pgdrill never writes a link
 * into a run, so a link is something added afterwards; following it would verify content from elsewhere.
 */
export function listEntries(dir: string): { files: string[]; links: string[] } {
  const files: string[] = [];
  const links: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      const rel = path.relative(dir, full).split(path.sep).join('/');
      if (e.isSymbolicLink()) links.push(rel);
      else if (e.isDirectory()) walk(full);
      else if (e.isFile()) files.push(rel);
    }
  };
  walk(dir);
  return { files: files.sort(), links: links.sort() };
}
