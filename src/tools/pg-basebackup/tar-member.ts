// Files of a tar backup (base.tar, base.tar.gz), read in one pass in process without extracting the rest: their
// bytes, each member named as pg_basebackup writes it or with a leading ./ (a backup re-packed by `tar -cf . `).
import { createReadStream, existsSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { ReadEntry } from 'tar';

export async function tarMembers(tarball: string, names: readonly string[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (!existsSync(tarball)) return found;
  const { Parser } = await import('tar'); // a tar-format backup's path only
  const parser = new Parser({
    filter: (p) => names.includes(p.replace(/^\.\//, '')),
    onReadEntry: (entry: ReadEntry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => found.set(entry.path.replace(/^\.\//, ''), Buffer.concat(chunks)));
    },
  });
  // The parser reads gzip or plain tar alike.
  await pipeline(createReadStream(tarball), parser);
  return found;
}
