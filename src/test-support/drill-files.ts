// Writes drill files for tests (real YAML, loaded by the real loader).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli.js';
import { tempDir } from './temp-dirs.js';

export function writeDrill(yaml: string, name = 'drill.yaml'): string {
  const dir = tempDir('drilltest-yaml-');
  const file = path.join(dir, name);
  writeFileSync(file, yaml.replace(/\$FIXTURES/g, path.join(ROOT, 'fixtures')));
  return file;
}
