// A table's fingerprint: row count plus an order-independent content hash (sum of per-row md5 prefixes), so
// it streams through any table size without sorting, and equal fingerprints mean equal multisets of rows.
import type { PostgresInstance } from '../providers/provider.js';
import type { CheckResult, VerifyContext } from './check.js';

export interface Fingerprint {
  table: string;
  /** Database holding the table (default postgres). */
  database?: string | undefined;
  rows: number;
  hash: string;
}

/** @param table the server's own name for the table (resolveTable), already quoted as SQL needs. */
export async function fingerprint(instance: PostgresInstance, table: string, database?: string): Promise<Fingerprint> {
  const client = await instance.connect(database);
  try {
    const { rows } = await client.query<{ rows: string; hash: string | null }>(
      `select count(*)::text as rows,
              coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0)::text as hash
         from ${table} t`,
    );
    return { table, database, rows: Number(rows[0]?.rows ?? 0), hash: rows[0]?.hash ?? '0' };
  } finally {
    await client.end();
  }
}

/** "orders" or "shop: orders" for tables outside the default database. */
export function tableLabel(fp: { table: string; database?: string | undefined }): string {
  return fp.database && fp.database !== 'postgres' ? `${fp.database}: ${fp.table}` : fp.table;
}

/** Compares a table on the restored instance with the fingerprint captured before the incident. */
export async function fingerprintCheck(restored: PostgresInstance, expected: Fingerprint): Promise<CheckResult> {
  const name = `table ${tableLabel(expected)} restored`;
  let actual: Fingerprint;
  try {
    actual = await fingerprint(restored, expected.table, expected.database);
  } catch (error) {
    return { name, status: 'failed', detail: `cannot read ${tableLabel(expected)} after recovery: ${(error as Error).message}` };
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

/** Every protected table against its pre-incident fingerprint. */
export async function tablesCheck({ restored, truth }: VerifyContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const fp of truth.fingerprints) results.push(await fingerprintCheck(restored, fp));
  return results;
}
