// Files that ship with pgdrill (package.json, templates, libexec scripts), found from the package's root wherever its
// code runs from: src/ under tsx, dist/ as compiled, or dist/bundle/ as bundled (scripts/bundle.js). A path relative
// to one module would break as soon as that module moves into a bundle.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

function findRoot(): string {
  for (let dir = path.dirname(here); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'pgdrill') return dir;
    if (path.dirname(dir) === dir) throw new Error(`pgdrill's package.json was not found above ${here}; reinstall pgdrill`);
  }
}

/** The folder that holds pgdrill's package.json. */
const PACKAGE_ROOT: string = findRoot();

/** A file of the package, by its path from the package's root ('libexec/barman-cloud/cloud.py'). */
export function packageFile(relative: string): string {
  return path.join(PACKAGE_ROOT, relative);
}

/** A file that sits next to the code (templates copied into dist/ by scripts/copy-assets.js), by its path from src/. */
export function codeAsset(relative: string): string {
  return path.join(PACKAGE_ROOT, here.endsWith('.ts') ? 'src' : 'dist', relative);
}
