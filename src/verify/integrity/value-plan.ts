// The quick pass's rule for "decoding only where it adds detection". Every block's checksum is proven by
// pg_checksums over the stopped copy; what a checksum cannot prove is a value that was already wrong when its
// page was written. Per table, from the catalog alone, this plans the cheapest scan that still finds those:
//  - a TOAST relation with data: every external value's chunks (verify_heapam, check_toast);
//  - a column whose output function can refuse a stored value (numeric, jsonb, arrays, ranges, composites,
//    extension types): decoded;
//  - timestamp / timestamptz: compared with the range PostgreSQL can store (timestamp-range.ts);
//  - text, varchar, bpchar, bytea, json: byte strings that always print; only a compressed value can fail to
//    decode, so only those are decompressed (pg_column_compression tells, without decompressing). A table's
//    row width does not bound this: a value compressed in a wide row keeps its compressed form when copied
//    into a narrow table (INSERT ... SELECT, same type), so every column that can hold a value PostgreSQL
//    would compress is looked at; only columns bounded to TOAST_POINTER_SIZE or less (varchar(5)) cannot;
//  - fixed-width built-in types (integers, floats, bool, uuid, dates, oids...): every bit pattern prints.
// A table with nothing to scan is proven by its page checksums, and its row count is the planner's estimate;
// a table never vacuumed nor analyzed has none (reltuples -1), so its rows are counted.
// Where pg_checksums will read the stopped copy anyway and a table's only checks are compressed byte strings
// and timestamps (no TOAST data, no value an output function must judge), the table is read from its pages
// beside pg_checksums instead (page-scan.ts): the same checks, at the speed of the disk, without the server.
import type pg from 'pg';
import type { Relation } from './catalog.js';
import type { PageColumn } from './heap-page.js';
import type { PageScanTable } from './page-scan.js';
import { rangeTest, type RangeTest } from './timestamp-range.js';

/** The toaster compresses only attributes wider than MAXALIGN(TOAST_POINTER_SIZE) bytes, header included. */
export const SMALLEST_COMPRESSED = 24;

export interface TablePlan {
  relation: Relation;
  /** verify_heapam with check_toast over the table: its TOAST holds data (or checksums cannot prove the pages). */
  heapCheck: boolean;
  /** SQL expressions decoded per row (NULL-safe); empty: no value of this table can fail to decode. */
  decode: string[];
  /** Range tests of timestamp columns: a row matching one holds a value PostgreSQL cannot have stored. */
  outOfRange: RangeTest[];
  /** pg_class.reltuples: the row count when no scan counts the rows. */
  estimatedRows: number;
  /** No estimate (never vacuumed nor analyzed): the rows are counted even with nothing to decode. */
  countRows: boolean;
  /** quick: read from its pages after the stop (page-scan.ts) instead of decoded through the server (full still decodes). */
  pages?: PageScanTable;
}

interface Column {
  table: string;
  column: string;
  typname: string;
  typlen: number;
  builtin: boolean;
  typmod: number;
  /** pg_attribute.attalign as bytes. */
  align: number;
  dropped: boolean;
}

const ALIGN: Record<string, number> = { c: 1, s: 2, i: 4, d: 8 };

const BYTE_STRINGS = new Set(['text', 'varchar', 'bpchar', 'bytea', 'json', 'xml']);

/** The largest a value of the column can be on disk, or Infinity when nothing bounds it. */
function maxBytes(c: Column): number {
  if (c.typlen > 0) return c.typlen;
  // varchar(n) / bpchar(n): typmod is n + 4; at most 4 bytes a character (UTF-8) and a 4-byte header.
  if ((c.typname === 'varchar' || c.typname === 'bpchar') && c.typmod >= 4) return (c.typmod - 4) * 4 + 4;
  return Infinity;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Columns of every table of the database in attribute order, dropped ones included, keyed by the table's oid. */
async function columnsOf(client: pg.Client): Promise<Map<number, Column[]>> {
  const { rows } = await client.query<{ oid: string; attname: string; typname: string | null; attlen: number; builtin: boolean | null; atttypmod: number; attalign: string; attisdropped: boolean }>(
    `select a.attrelid::text as oid, a.attname, t.typname, a.attlen, t.typnamespace = 'pg_catalog'::regnamespace and t.typtype = 'b' as builtin,
            a.atttypmod, a.attalign, a.attisdropped
       from pg_attribute a left join pg_type t on t.oid = a.atttypid join pg_class c on c.oid = a.attrelid
      where a.attnum > 0 and c.relkind in ('r', 'm') and c.relpersistence <> 't'
      order by a.attrelid, a.attnum`,
  );
  const by = new Map<number, Column[]>();
  for (const r of rows) {
    const list = by.get(Number(r.oid)) ?? [];
    list.push({ table: r.oid, column: r.attname, typname: r.typname ?? '', typlen: r.attlen, builtin: r.builtin === true, typmod: r.atttypmod, align: ALIGN[r.attalign] ?? 8, dropped: r.attisdropped });
    by.set(Number(r.oid), list);
  }
  return by;
}

/** The scan each table of one database needs; `blockProof`: pg_checksums will prove every page afterwards. */
export async function planTables(client: pg.Client, tables: readonly Relation[], blockProof: boolean): Promise<TablePlan[]> {
  const columns = await columnsOf(client);
  const { rows } = await client.query<{ oid: string; toast: string; tuples: string; file: string | null; pages: boolean }>(
    `select c.oid::text as oid, coalesce(pg_relation_size(nullif(c.reltoastrelid, 0)), 0)::text as toast, c.reltuples::bigint::text as tuples,
            pg_relation_filepath(c.oid) as file,
            current_setting('block_size') = '8192' and current_setting('segment_size') = '1GB' as pages
       from pg_class c where c.relkind in ('r', 'm')`,
  );
  const facts = new Map(rows.map((r) => [Number(r.oid), { toast: Number(r.toast), tuples: Number(r.tuples), file: r.file, pages: r.pages }]));
  return tables.map((relation) => {
    const cols = columns.get(relation.oid) ?? [];
    const fact = facts.get(relation.oid) ?? { toast: 0, tuples: -1, file: null, pages: false };
    const decode: string[] = [];
    const outOfRange: TablePlan['outOfRange'] = [];
    const layout: PageColumn[] = [];
    let serverOnly = false; // a value only an output function can judge
    for (const c of cols) {
      const page: PageColumn = { name: c.column, len: c.typlen, align: c.align, check: 'none' };
      layout.push(page);
      if (c.dropped) continue;
      const col = `t.${ident(c.column)}`;
      const range = c.builtin ? rangeTest(c.column, col, c.typname) : undefined;
      if (range) {
        outOfRange.push(range);
        page.check = 'timestamp';
      } else if (c.builtin && c.typlen > 0) continue;
      else if (c.builtin && BYTE_STRINGS.has(c.typname)) {
        if (maxBytes(c) > SMALLEST_COMPRESSED) {
          decode.push(`case when pg_column_compression(${col}) is not null then md5(${c.typname === 'bytea' ? col : `${col}::text`}) end`);
          page.check = 'value';
        }
      } else {
        decode.push(`${col}::text`);
        serverOnly = true;
      }
    }
    const plan: TablePlan = { relation, heapCheck: fact.toast > 0 || !blockProof, decode, outOfRange, estimatedRows: Math.max(fact.tuples, 0), countRows: fact.tuples < 0 };
    const onPages = blockProof && fact.pages && fact.file !== null && fact.toast === 0 && !serverOnly && (decode.length > 0 || outOfRange.length > 0);
    return onPages ? { ...plan, pages: { relation, file: fact.file as string, columns: layout } } : plan;
  });
}
