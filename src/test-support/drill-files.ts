// Writes drill files for tests (real YAML, loaded by the real loader).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './cli.js';

export function writeDrill(yaml: string, name = 'drill.yaml'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drilltest-yaml-'));
  const file = path.join(dir, name);
  writeFileSync(file, yaml.replace(/\$FIXTURES/g, path.join(ROOT, 'fixtures')));
  return file;
}
