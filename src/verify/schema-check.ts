// `verify: - schema: schema/prod.snapshot`: the restored database's schema against a snapshot committed to the
// repository (pgdrill schema snapshot writes one): what is missing, extra or changed, each named.
import { readFileSync } from 'node:fs';
import type { CheckResult } from '../model/check-result.js';
import type { VerifyContext } from './check.js';
import { schemaDiff, schemaSnapshot, snapshotLines } from './schema-snapshot.js';

export async function schemaChecks({ drill, restored }: VerifyContext): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const c of drill.verify) {
    if (!('schema' in c)) continue;
    const db = c.database ?? restored.defaultDatabase;
    const name = c.name ?? `schema of ${db} as ${c.schema}`;
    const client = await restored.connect(db);
    let actual: string[];
    try {
      actual = await schemaSnapshot(client);
    } finally {
      await client.end().catch(() => undefined);
    }
    const d = schemaDiff(snapshotLines(readFileSync(c.schema, 'utf8')), actual);
    const n = d.missing.length + d.extra.length + d.changed.length;
    const list = (what: string, l: string[]) => (l.length ? [`${what} (${l.length}): ${l.slice(0, 8).join('; ')}${l.length > 8 ? '; ...' : ''}`] : []);
    out.push(
      n === 0
        ? { name, status: 'passed', code: 'schema', detail: `${actual.length} objects, every one as the snapshot has it` }
        : { name, status: 'failed', code: 'schema-drift', detail: [...list('missing', d.missing), ...list('extra', d.extra), ...list('changed', d.changed)].join(' | ') },
    );
  }
  return out;
}
