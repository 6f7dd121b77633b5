// Large tables are checked in block ranges, each its own item of the pool: a table of 100 GB is read by every
// connection at once instead of one, and a damaged page fails only its range, so the rest of the table is
// still read and checked. Ranges need TID range scans (PostgreSQL 14); before that a table is one item.
import type { Relation } from './catalog.js';

export interface BlockRange {
  relation: Relation;
  /** [from, to) in blocks; undefined: the whole table. */
  from?: number;
  to?: number;
  /** How many ranges the table was cut into (1: whole). */
  parts: number;
}

/** Smallest range worth its own query: 64 MiB of 8 kB blocks. */
export const MIN_RANGE_BLOCKS = 8192;

export function blockRanges(tables: readonly Relation[], jobs: number, serverVersionNum: number): BlockRange[] {
  return tables.flatMap((relation): BlockRange[] => {
    const size = Math.max(MIN_RANGE_BLOCKS, Math.ceil(relation.blocks / (jobs * 4)));
    if (serverVersionNum < 140000 || jobs < 2 || relation.blocks <= size) return [{ relation, parts: 1 }];
    const parts = Math.ceil(relation.blocks / size);
    // The last range is open-ended: rows added while checking (there are none in a sandbox) are not missed.
    return Array.from({ length: parts }, (_, i) => ({ relation, from: i * size, ...(i < parts - 1 ? { to: (i + 1) * size } : {}), parts }));
  });
}

/** The WHERE clause of a range (TID range scan), or '' for the whole table. */
export function rangeFilter(r: BlockRange): string {
  if (r.from === undefined) return '';
  return ` where ctid >= '(${r.from},0)'::tid${r.to !== undefined ? ` and ctid < '(${r.to},0)'::tid` : ''}`;
}

export function rangeLabel(r: BlockRange): string {
  return r.from === undefined ? '' : ` (blocks ${r.from}-${r.to !== undefined ? r.to - 1 : 'end'})`;
}
