// A table's fingerprint: row count plus an order-independent content hash (sum of per-row md5 prefixes), so
// it streams through any table size without sorting, and equal fingerprints mean equal multisets of rows.
import type { PostgresInstance } from '../providers/provider.js';
import type { CheckResult } from './check.js';
import { quoteIdent } from './sql-ident.js';

export interface Fingerprint {
  table: string;
  rows: number;
  hash: string;
}

export async function fingerprint(instance: PostgresInstance, table: string): Promise<Fingerprint> {
  const [row] = await instance.query<{ rows: string; hash: string | null }>(
    `select count(*)::text as rows,
            coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0)::text as hash
       from ${quoteIdent(table)} t`,
  );
  return { table, rows: Number(row?.rows ?? 0), hash: row?.hash ?? '0' };
}

/** Compares a table on the restored instance with the fingerprint captured before the incident. */
export async function fingerprintCheck(restored: PostgresInstance, expected: Fingerprint): Promise<CheckResult> {
  const name = `table ${expected.table} restored`;
  let actual: Fingerprint;
  try {
    actual = await fingerprint(restored, expected.table);
  } catch (error) {
    return { name, status: 'failed', detail: `cannot read ${expected.table} after recovery: ${(error as Error).message}` };
  }
  const same = actual.rows === expected.rows && actual.hash === expected.hash;
  return {
    name,
    status: same ? 'passed' : 'failed',
    detail: same
      ? `${actual.rows} rows, content hash ${actual.hash} equals the pre-incident fingerprint`
      : `pre-incident ${expected.rows} rows (hash ${expected.hash}), recovered ${actual.rows} rows (hash ${actual.hash})`,
  };
}
