// The application's view of the restored cluster, the failures that break real restores: a sequence behind the
// data it serves (the next insert fails on a duplicate key), an extension whose library does not load, text indexes
// built under another collation version (glibc or ICU changed: their order is silently wrong), a role that cannot
// log in or lost its privileges. Each looks at every connectable database and names what it found.
import type { CheckResult } from '../model/check-result.js';
import { quoteIdent } from '../pg/identifiers.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { VerifyContext } from './check.js';

/** Every database the application could use: connectable, not a template. */
async function databases(restored: PostgresInstance): Promise<string[]> {
  return (await restored.query<{ datname: string }>('select datname from pg_database where datallowconn and not datistemplate order by datname')).map((r) => r.datname);
}

async function inEach<T>(restored: PostgresInstance, work: (db: string, q: <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (const db of await databases(restored)) {
    const client = await restored.connect(db);
    try {
      out.push(...(await work(db, async (sql, params) => (await client.query(sql, params)).rows)));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return out;
}

/** Every sequence owned by a column is at or past the column's max: the next value the application takes is free. */
export async function sequencesCheck(restored: PostgresInstance): Promise<CheckResult> {
  const behind = await inEach(restored, async (db, q) => {
    const owned = await q<{ seq: string; tbl: string; col: string; last: string | null; called: boolean; increment: string }>(
      `select s.oid::regclass::text as seq, t.oid::regclass::text as tbl, quote_ident(a.attname) as col, ps.last_value::text as last,
              coalesce(ps.last_value is not null, false) as called, ps.increment_by::text as increment
         from pg_class s
         join pg_depend d on d.objid = s.oid and d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
         join pg_class t on t.oid = d.refobjid
         join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
         join pg_sequences ps on ps.schemaname = (select nspname from pg_namespace where oid = s.relnamespace) and ps.sequencename = s.relname
        where s.relkind = 'S'`,
    );
    const found: string[] = [];
    for (const o of owned) {
      const [row] = await q<{ max: string | null }>(`select max(${o.col})::text as max from ${o.tbl}`);
      const max = row?.max === null || row?.max === undefined ? null : BigInt(row.max);
      // Never called (last_value null): the next value is the start, 1 unless told; a descending sequence is skipped.
      if (max === null || BigInt(o.increment) < 0n) continue;
      const last = o.last === null ? 0n : BigInt(o.last);
      if (last < max) found.push(`${db}: ${o.seq} is at ${o.last ?? 'its start'}, but ${o.tbl}.${o.col} holds ${max}: the next insert takes a value already used`);
    }
    return found.length ? found : [];
  });
  return behind.length
    ? { name: 'sequences not behind their data', status: 'failed', code: 'sequence-behind', detail: behind.slice(0, 10).join('; ') }
    : { name: 'sequences not behind their data', status: 'passed', code: 'sequences', detail: 'every sequence owned by a column is at or past its column\'s largest value, in every database' };
}

/** Every installed extension's library loads in the sandbox; versions listed. */
export async function extensionsCheck(restored: PostgresInstance): Promise<CheckResult> {
  const seen: string[] = [];
  const broken = await inEach(restored, async (db, q) => {
    const exts = await q<{ extname: string; extversion: string; available: string | null }>(
      `select e.extname, e.extversion, (select a.default_version from pg_available_extensions a where a.name = e.extname) as available from pg_extension e where e.extname <> 'plpgsql' order by 1`,
    );
    const bad: string[] = [];
    for (const e of exts) {
      seen.push(`${db}: ${e.extname} ${e.extversion}`);
      if (e.available === null) {
        bad.push(`${db}: ${e.extname} ${e.extversion} is installed, but its files are not on this machine (no control file)`);
        continue;
      }
      // A C function of the extension, called: the library loads (or says why not).
      const [fn] = await q<{ fn: string | null }>(
        `select p.oid::regprocedure::text as fn from pg_depend d join pg_proc p on p.oid = d.objid join pg_language l on l.oid = p.prolang
          where d.refclassid = 'pg_extension'::regclass and d.refobjid = (select oid from pg_extension where extname = $1) and d.deptype = 'e' and l.lanname = 'c' limit 1`,
        [e.extname],
      );
      if (!fn?.fn) continue;
      try {
        await q(`load ${quoteLiteral(await probin(q, fn.fn))}`);
      } catch (error) {
        bad.push(`${db}: ${e.extname} ${e.extversion}: its library does not load (${(error as Error).message})`);
      }
    }
    return bad;
  });
  return broken.length
    ? { name: 'extensions load', status: 'failed', code: 'extension-missing', detail: broken.slice(0, 10).join('; ') }
    : { name: 'extensions load', status: 'passed', code: 'extensions', detail: seen.length ? `every extension's library loads: ${seen.join(', ')}` : 'no extension besides plpgsql' };
}

async function probin(q: <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>, fn: string): Promise<string> {
  const [row] = await q<{ probin: string | null }>(`select probin from pg_proc where oid = $1::regprocedure`, [fn]);
  return row?.probin ?? '';
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * The collation versions the databases and collations recorded (PostgreSQL 15: datcollversion, collversion) against
 * what this machine's libc and ICU provide: a change silently corrupts the order of text indexes.
 */
export async function collationsCheck(restored: PostgresInstance): Promise<CheckResult> {
  const mismatched = await inEach(restored, async (db, q) => {
    const [d] = await q<{ recorded: string | null; actual: string | null }>(
      `select datcollversion as recorded, pg_database_collation_actual_version(oid) as actual from pg_database where datname = current_database()`,
    );
    const out: string[] = [];
    const indexes = async (collation: string | undefined) => {
      const rows = await q<{ idx: string }>(
        `select distinct i.indexrelid::regclass::text as idx from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
          join pg_collation c on c.oid = a.attcollation where c.collname = coalesce($1, 'default') and i.indrelid in (select oid from pg_class where relnamespace not in (select oid from pg_namespace where nspname in ('pg_catalog', 'information_schema'))) limit 20`,
        [collation ?? null],
      );
      return rows.map((r) => r.idx);
    };
    if (d?.recorded && d.recorded !== d.actual) {
      const idx = await indexes(undefined);
      out.push(`database ${db}: its collation was version ${d.recorded} when it was created, this machine provides ${d.actual ?? 'no version at all'}${idx.length ? `; indexes that depend on it: ${idx.join(', ')}` : ''}; REINDEX them and ALTER DATABASE ${quoteIdent(db)} REFRESH COLLATION VERSION`);
    }
    const colls = await q<{ collname: string; recorded: string | null; actual: string | null }>(
      `select collname, collversion as recorded, pg_collation_actual_version(oid) as actual from pg_collation where collversion is not null and collversion is distinct from pg_collation_actual_version(oid)`,
    );
    for (const c of colls) out.push(`database ${db}: collation ${c.collname} recorded version ${c.recorded}, this machine provides ${c.actual}`);
    return out;
  });
  return mismatched.length
    ? { name: 'collation versions match this machine', status: 'failed', code: 'collation-mismatch', detail: mismatched.slice(0, 10).join('; ') }
    : { name: 'collation versions match this machine', status: 'passed', code: 'collations', detail: 'every database\'s and collation\'s recorded version is the one this machine\'s libc and ICU provide' };
}

/** The roles a drill names exist, can log in, and hold USAGE on the schemas they have privileges in. */
export async function rolesCheck(restored: PostgresInstance, roles: readonly string[]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const known = new Map((await restored.query<{ rolname: string; rolcanlogin: boolean }>('select rolname, rolcanlogin from pg_roles')).map((r) => [r.rolname, r.rolcanlogin]));
  for (const role of roles) {
    const name = `role ${role}`;
    if (!known.has(role)) {
      out.push({ name, status: 'failed', code: 'role-missing', detail: `role ${role} does not exist in the restored cluster (a dump restored without pg_dumpall --globals-only loses its roles)` });
      continue;
    }
    if (!known.get(role)) {
      out.push({ name, status: 'failed', code: 'role-cannot-login', detail: `role ${role} exists but cannot log in (NOLOGIN): the application would be refused` });
      continue;
    }
    const lost = await inEach(restored, async (db, q) => {
      const rows = await q<{ nspname: string }>(
        `select n.nspname from pg_namespace n
          where n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
            and exists (select 1 from pg_class c where c.relnamespace = n.oid and (has_table_privilege($1, c.oid, 'SELECT') or has_table_privilege($1, c.oid, 'INSERT')))
            and not has_schema_privilege($1, n.oid, 'USAGE')`,
        [role],
      );
      const connect = await q<{ ok: boolean }>(`select has_database_privilege($1, current_database(), 'CONNECT') as ok`, [role]);
      return [...(connect[0]?.ok ? [] : [`may not connect to ${db}`]), ...rows.map((r) => `${db}: holds privileges on tables of schema ${r.nspname} but no USAGE on it`)];
    });
    out.push(
      lost.length
        ? { name, status: 'failed', code: 'privilege-missing', detail: `role ${role} can log in, but: ${lost.join('; ')}` }
        : { name, status: 'passed', code: 'roles', detail: `role ${role} exists, can log in, and may use the schemas it holds privileges in` },
    );
  }
  return out;
}

/** The drill's application checks, in the order of its verify list. */
export async function appChecks({ drill, restored }: VerifyContext): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const c of drill.verify) {
    if ('sequences' in c) out.push(await sequencesCheck(restored));
    if ('extensions' in c) out.push(await extensionsCheck(restored));
    if ('collations' in c) out.push(await collationsCheck(restored));
    if ('roles' in c) out.push(...(await rolesCheck(restored, c.roles)));
  }
  return out;
}
