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

/** A drill that runs and fails one check (customers count 100, expected 99): finding code sql-mismatch. */
export function wrongCountDrill(objectives = '{ rto: 2m, rpo: 5s }'): string {
  return writeDrill(`name: wrong-count
objectives: ${objectives}
workload: { fixtures: [$FIXTURES/shop.sql] }
incident: { kind: drop-table, table: orders }
verify:
  - { name: customers count, sql: select count(*) from customers, expect: "99" }
`);
}
