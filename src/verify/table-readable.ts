// A table a drill of an existing backup names must read end to end after the restore; its row count is reported
// (there is no pre-incident fingerprint to compare with).
import { resolveTable } from '../pg/identifiers.js';
import type { CheckResult } from '../model/check-result.js';
import type { PostgresInstance } from '../providers/provider.js';
import { relationHint, whereChecksRun, type Where } from './where-checks-run.js';

export async function tableReadable(restored: PostgresInstance, entry: Where & { table: string; name?: string | undefined }): Promise<CheckResult> {
  const db = entry.database ?? restored.defaultDatabase;
  const name = entry.name ?? `table ${entry.database && entry.database !== 'postgres' ? `${entry.database}: ` : ''}${entry.table} readable`;
  try {
    const resolved = await resolveTable(restored, entry.table, db);
    if (!resolved) return { name, status: 'failed', detail: `table ${entry.table} does not exist in database ${db} of the restored cluster${await relationHint(restored, `relation "${entry.table}" does not exist`, db)}` };
    const n = await whereChecksRun(restored, { ...entry, database: db }, async (c) => (await c.query<{ n: string }>(`select count(*)::text as n from ${resolved}`)).rows[0]?.n);
    return { name, status: 'passed', detail: `${n ?? '0'} rows read from ${resolved}${db !== 'postgres' ? ` in ${db}` : ''}${entry.as ? ` as ${entry.as}` : ''}` };
  } catch (error) {
    return { name, status: 'failed', detail: `reading ${entry.table} failed after the restore (in ${db}${entry.as ? ` as ${entry.as}` : ''}): ${(error as Error).message}` };
  }
}
