// SQL identifiers from drill files. Table names follow PostgreSQL's rules: unquoted parts fold to lower case
// (Orders is orders), quoted parts keep case and may hold any character (public."Audit Trail", "User"). The
// drill loader checks the syntax; pgdrill resolves each name once on the server (to_regclass) and uses the
// resolved, correctly quoted name everywhere after.
import type { PostgresInstance } from '../providers/provider.js';

/** One identifier, quoted: for names pgdrill builds itself (a database name). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const PART = String.raw`(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*|"(?:[^"]|"")+")`;
const QUALIFIED = new RegExp(`^${PART}(?:\\.${PART})?$`);

/** Whether `name` is a table name as SQL writes it: orders, sales.orders, public."Audit Trail". */
export function isTableName(name: string): boolean {
  return QUALIFIED.test(name.trim());
}

/** The server's own name for the table (`oid::regclass::text`, quoted as needed), or undefined when it does not exist. */
export async function resolveTable(instance: PostgresInstance, name: string, database?: string): Promise<string | undefined> {
  const client = await instance.connect(database);
  try {
    const { rows } = await client.query<{ t: string | null }>('select to_regclass($1)::text as t', [name.trim()]);
    return rows[0]?.t ?? undefined;
  } finally {
    await client.end();
  }
}
