// A drill of an existing backup names tables it cares about: each must be readable end to end after the
// restore, and its row count is reported (there is no pre-incident fingerprint to compare with).
import { resolveTable } from '../pg/identifiers.js';
import type { CheckResult } from '../model/check-result.js';
import type { VerifyContext } from './check.js';

export async function tablesReadableCheck({ drill, restored }: VerifyContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const entry of drill.verify) {
    if (!('table' in entry)) continue;
    const name = entry.name ?? `table ${entry.table} readable`;
    try {
      const resolved = await resolveTable(restored, entry.table);
      if (!resolved) {
        results.push({ name, status: 'failed', detail: `table ${entry.table} does not exist in the restored database` });
        continue;
      }
      const [row] = await restored.query<{ n: string }>(`select count(*)::text as n from ${resolved}`);
      results.push({ name, status: 'passed', detail: `${row?.n ?? '0'} rows read from ${resolved}` });
    } catch (error) {
      results.push({ name, status: 'failed', detail: `reading ${entry.table} failed after the restore: ${(error as Error).message}` });
    }
  }
  return results;
}
