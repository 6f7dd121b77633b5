// What an integrity pass works through, read from each database's own catalog: the databases that accept
// connections, and in each the tables (heap and materialized views, system catalogs included) and the valid
// B-tree indexes, with their on-disk size and file so a finding can name the relation a damaged file belongs to.
import type pg from 'pg';
import type { PostgresInstance } from '../../providers/provider.js';

export interface Relation {
  database: string;
  oid: number;
  /** oid::regclass::text: quoted as SQL needs, schema-qualified outside the search path. */
  name: string;
  kind: 'table' | 'index';
  /** A system catalog or information_schema relation (read, but not reported among the row counts). */
  system: boolean;
  /** Main fork plus TOAST, in bytes. */
  bytes: number;
  /** Blocks of the main fork. */
  blocks: number;
}

export interface InstanceFacts {
  /** Every database a client can connect to (template0 refuses connections by design). */
  databases: string[];
  versionNum: number;
  /** Total size of those databases (pg_database_size), the figure the size sanity check follows over time. */
  restoredBytes: number;
  dataChecksums: boolean;
}

/** What the pass needs to know of the instance, in one round trip. */
export async function instanceFacts(instance: PostgresInstance): Promise<InstanceFacts> {
  const [row] = await instance.query<{ databases: string[] | null; version: string; bytes: string; checksums: boolean }>(
    `select (select array_agg(datname::text order by datname) from pg_database where datallowconn) as databases,
            current_setting('server_version_num') as version,
            (select coalesce(sum(pg_database_size(oid)), 0) from pg_database where datallowconn)::text as bytes,
            current_setting('data_checksums') = 'on' as checksums`,
  );
  return { databases: row?.databases ?? [], versionNum: Number(row?.version ?? 0), restoredBytes: Number(row?.bytes ?? 0), dataChecksums: row?.checksums === true };
}

const SYSTEM = `(n.nspname in ('pg_catalog', 'information_schema') or n.nspname like 'pg\\_toast%')`;

/** Tables with data to read (unpopulated materialized views have none) and valid, ready B-tree indexes. */
export async function relationsOf(client: pg.Client, database: string): Promise<Relation[]> {
  const { rows } = await client.query<{ oid: string; name: string; relkind: string; system: boolean; bytes: string; blocks: string }>(
    `select c.oid::text as oid, c.oid::regclass::text as name, c.relkind, ${SYSTEM} as system,
            (pg_relation_size(c.oid) + coalesce(pg_relation_size(nullif(c.reltoastrelid, 0)), 0))::text as bytes,
            (pg_relation_size(c.oid) / current_setting('block_size')::int)::text as blocks
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
      where c.relpersistence <> 't'
        and ((c.relkind = 'r') or (c.relkind = 'm' and c.relispopulated)
             or (c.relkind = 'i' and c.relam = (select oid from pg_am where amname = 'btree')
                 and exists (select 1 from pg_index i where i.indexrelid = c.oid and i.indisvalid and i.indisready)))`,
  );
  return rows.map((r) => ({ database, oid: Number(r.oid), name: r.name, kind: r.relkind === 'i' ? 'index' : 'table', system: r.system, bytes: Number(r.bytes), blocks: Number(r.blocks) }));
}

/**
 * Data files (relative to the data folder, as pg_checksums prints them) -> the relation they hold, TOAST
 * named after its table. Read while the server runs, used after it stopped.
 */
export async function relationFiles(client: pg.Client, database: string): Promise<Map<string, string>> {
  const { rows } = await client.query<{ file: string; name: string }>(
    `select pg_relation_filepath(c.oid) as file,
            coalesce((select 'TOAST of ' || t.oid::regclass::text from pg_class t where t.reltoastrelid = c.oid),
                     (select 'index on TOAST of ' || t.oid::regclass::text from pg_class t join pg_index i on i.indrelid = t.reltoastrelid where i.indexrelid = c.oid),
                     c.oid::regclass::text) as name
       from pg_class c
      where pg_relation_filepath(c.oid) is not null and c.relpersistence <> 't'`,
  );
  return new Map(rows.map((r) => [r.file, `${database}: ${r.name}`]));
}
