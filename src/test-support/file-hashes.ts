// What "the user's files were not touched" means in a test: sha256 and mode of every file below the folders (or of
// the file itself; symbolic links by target), by path, taken before and after a drill.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';

export function hashes(...dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isSymbolicLink()) out[full] = `link ${readlinkSync(full)}`;
      else if (e.isDirectory()) walk(full);
      else out[full] = `${createHash('sha256').update(readFileSync(full)).digest('hex')} ${statSync(full).mode}`;
    }
  };
  for (const d of dirs) {
    if (statSync(d).isDirectory()) walk(d);
    else out[d] = `${createHash('sha256').update(readFileSync(d)).digest('hex')} ${statSync(d).mode}`;
  }
  return out;
}

/** Every folder below the given ones, with its mode: an empty folder a drill created shows here. */
export function folders(...dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const full = path.join(d, e.name);
      out[full] = String(statSync(full).mode);
      walk(full);
    }
  };
  for (const d of dirs) if (statSync(d).isDirectory()) walk(d);
  return out;
}
