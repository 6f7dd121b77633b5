// Where a check runs, as the application would see it: in the check's database (the verify section's default,
// else postgres), and as the check's role when it names one. The role must exist and may connect to the
// database (a revoked CONNECT fails the check the way the application's login would fail); the query then runs
// after SET ROLE, so every privilege is the role's own. A relation the query cannot find is looked for in the
// other databases, and the message says where it is.
import type pg from 'pg';
import type { PostgresInstance } from '../providers/provider.js';
import { quoteIdent } from '../pg/identifiers.js';

export interface Where {
  database?: string | undefined;
  as?: string | undefined;
}

/** Why a check could not run where it says, as the application would be told; undefined when it can. */
export class CheckPlaceError extends Error {}

/** Runs `work` on a connection to the check's database, as its role. */
export async function whereChecksRun<T>(instance: PostgresInstance, where: Where, work: (client: pg.Client) => Promise<T>): Promise<T> {
  let client: pg.Client;
  try {
    client = await instance.connect(where.database);
  } catch (error) {
    const message = (error as Error).message;
    if (/database ".*" does not exist/.test(message)) throw new CheckPlaceError(`database ${where.database} does not exist in the restored cluster${await elsewhere(instance)}`);
    throw error;
  }
  try {
    if (where.as) {
      const { rows } = await client.query<{ exists: boolean; connect: boolean | null; login: boolean | null }>(
        `select exists (select 1 from pg_roles where rolname = $1) as exists,
                (select has_database_privilege(r.oid, current_database(), 'CONNECT') from pg_roles r where rolname = $1) as connect,
                (select rolcanlogin from pg_roles where rolname = $1) as login`,
        [where.as],
      );
      const r = rows[0];
      if (!r?.exists) throw new CheckPlaceError(`role ${where.as} does not exist in the restored cluster (a dump restored without its globals loses its roles)`);
      if (!r.connect) throw new CheckPlaceError(`role ${where.as} may not connect to database ${where.database ?? 'postgres'} (CONNECT is not granted to it, or was revoked): the application would be refused at login`);
      await client.query(`set role ${quoteIdent(where.as)}`);
    }
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** "; databases here: a, b" (for a database that is not there). */
async function elsewhere(instance: PostgresInstance): Promise<string> {
  const rows = await instance.query<{ datname: string }>('select datname from pg_database where datallowconn and not datistemplate order by datname').catch(() => []);
  return rows.length ? `; the databases it holds: ${rows.map((r) => r.datname).join(', ')}` : '';
}

/**
 * For `relation "x" does not exist`: the databases where a relation of that name is, as a hint
 * ("not in postgres; found in shop: add database: shop"); '' when it is nowhere.
 */
export async function relationHint(instance: PostgresInstance, message: string, here: string): Promise<string> {
  const m = /relation "([^"]+)" does not exist/.exec(message);
  if (!m?.[1]) return '';
  const [schema, name] = m[1].includes('.') ? (m[1].split('.') as [string, string]) : [undefined, m[1]];
  const dbs = await instance.query<{ datname: string }>('select datname from pg_database where datallowconn and not datistemplate and datname <> $1 order by datname', [here]).catch(() => []);
  const found: string[] = [];
  for (const { datname } of dbs) {
    const client = await instance.connect(datname).catch(() => undefined);
    if (!client) continue;
    try {
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relname = $1 and ($2::text is null or n.nspname = $2) and n.nspname not in ('pg_catalog', 'information_schema')`,
        [name, schema ?? null],
      );
      if ((rows[0]?.n ?? 0) > 0) found.push(datname);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return found.length ? `; not in ${here}, but found in ${found.join(', ')}: add database: ${found[0]} to the check (or to verify)` : '';
}
