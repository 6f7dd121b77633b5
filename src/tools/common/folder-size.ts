// Size of a folder tree in bytes (backup sizes for the report).
import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

export function folderSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderSize(full);
    else total += lstatSync(full).size;
  }
  return total;
}
