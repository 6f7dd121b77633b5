// A table a drill of an existing backup names must read end to end after the restore; its row count is reported
// (there is no pre-incident fingerprint to compare with).
import { resolveTable } from '../pg/identifiers.js';
import type { CheckResult } from '../model/check-result.js';
import type { PostgresInstance } from '../providers/provider.js';

export async function tableReadable(restored: PostgresInstance, entry: { table: string; name?: string | undefined }): Promise<CheckResult> {
  const name = entry.name ?? `table ${entry.table} readable`;
  try {
    const resolved = await resolveTable(restored, entry.table);
    if (!resolved) return { name, status: 'failed', detail: `table ${entry.table} does not exist in the restored database` };
    const [row] = await restored.query<{ n: string }>(`select count(*)::text as n from ${resolved}`);
    return { name, status: 'passed', detail: `${row?.n ?? '0'} rows read from ${resolved}` };
  } catch (error) {
    return { name, status: 'failed', detail: `reading ${entry.table} failed after the restore: ${(error as Error).message}` };
  }
}
