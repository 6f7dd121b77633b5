// A table's fingerprint: row count plus an order-independent content hash (sum of per-row md5 prefixes), so
// it streams through any table size without sorting, and equal fingerprints mean equal multisets of rows.
import type { PostgresInstance } from '../providers/provider.js';

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
