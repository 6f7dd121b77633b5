// `pgdrill init`: a starter drill, its fixture and a weekly workflow, written into a user's repository.
// Existing files are never overwritten without --force.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { codeAsset } from '../package-files.js';
import { PGDRILL_VERSION } from '../version.js';

const FILES: Array<[template: string, target: string]> = [
  ['starter.yaml', 'drills/starter.yaml'],
  ['starter.sql', 'fixtures/starter.sql'],
  ['pgdrill-weekly.yml', '.github/workflows/pgdrill-weekly.yml'],
];

export function initProject(dir: string, opts: { force: boolean }): string[] {
  const targets = FILES.map(([template, target]) => ({ template, file: path.resolve(dir, target) }));
  const existing = targets.filter((t) => existsSync(t.file));
  if (existing.length > 0 && !opts.force) {
    throw new UsageError(
      `pgdrill init would overwrite ${existing.map((t) => path.relative(process.cwd(), t.file) || t.file).join(', ')}`,
      'move them away, or pass --force to overwrite',
    );
  }
  for (const t of targets) {
    mkdirSync(path.dirname(t.file), { recursive: true });
    const text = readFileSync(codeAsset(`cli/templates/${t.template}`), 'utf8').replace(/__PGDRILL_VERSION__/g, PGDRILL_VERSION);
    writeFileSync(t.file, text);
  }
  return targets.map((t) => t.file);
}
