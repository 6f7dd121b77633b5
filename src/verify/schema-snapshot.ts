// A database's schema as a deterministic, diff-friendly text: one line per object (tables, columns and their types,
// indexes, constraints, sequences, functions, extensions, owners), sorted, so a snapshot committed to the
// repository reads as what the application expects, and a drill names what is missing, extra or changed.
import type pg from 'pg';

const SNAPSHOT_SQL = `
select 'extension ' || extname || ' ' || extversion from pg_extension
union all
select 'schema ' || n.nspname || ' owner ' || pg_get_userbyid(n.nspowner) from pg_namespace n
 where n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
union all
select case c.relkind when 'r' then 'table' when 'p' then 'table' when 'v' then 'view' when 'm' then 'matview' when 'S' then 'sequence' when 'f' then 'foreign table' end
       || ' ' || c.oid::regclass::text || ' owner ' || pg_get_userbyid(c.relowner)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
union all
select 'column ' || c.oid::regclass::text || '.' || quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
       || case when a.attnotnull then ' not null' else '' end
  from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0 and not a.attisdropped and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
union all
select 'index ' || i.indexrelid::regclass::text || ' ' || pg_get_indexdef(i.indexrelid)
  from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
 where n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
union all
select 'constraint ' || co.conrelid::regclass::text || ' ' || quote_ident(co.conname) || ' ' || pg_get_constraintdef(co.oid)
  from pg_constraint co join pg_namespace n on n.oid = co.connamespace
 where co.conrelid <> 0 and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
union all
select 'function ' || p.oid::regprocedure::text || ' returns ' || pg_get_function_result(p.oid) || ' owner ' || pg_get_userbyid(p.proowner)
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
   and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
order by 1`;

/** The snapshot of the database a client is connected to: its lines, sorted. */
export async function schemaSnapshot(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ line: string | null }>(`select line from (${SNAPSHOT_SQL.replace(/order by 1\s*$/, '')}) s(line)`);
  return rows.map((r) => r.line).filter((l): l is string => Boolean(l)).sort();
}

/** The file a snapshot is written as: a header, then one object per line. */
export function snapshotText(database: string, lines: readonly string[]): string {
  return `# pgdrill schema snapshot of database ${database}: one object per line, sorted (pgdrill schema snapshot)\n${lines.join('\n')}\n`;
}

/** The lines of a snapshot file (the header and blank lines left out). */
export function snapshotLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
}

/** What differs: missing (in the snapshot, not here), extra (here only), changed (the same object, another definition). */
export function schemaDiff(expected: readonly string[], actual: readonly string[]): { missing: string[]; extra: string[]; changed: string[] } {
  const key = (l: string) => l.split(' ').slice(0, 2).join(' ');
  const exp = new Map(expected.map((l) => [key(l), l]));
  const act = new Map(actual.map((l) => [key(l), l]));
  const changed = [...exp].filter(([k, l]) => act.has(k) && act.get(k) !== l).map(([k]) => `${exp.get(k)} -> ${act.get(k)}`);
  return {
    missing: [...exp.keys()].filter((k) => !act.has(k)).map((k) => exp.get(k) as string),
    extra: [...act.keys()].filter((k) => !exp.has(k)).map((k) => act.get(k) as string),
    changed,
  };
}
