// One heap page of a stopped copy, read the way PostgreSQL deforms its tuples (bufpage.h, htup_details.h,
// varatt.h; 8 kB blocks): the line pointers, each tuple's header and null bitmap, then every attribute in
// order, aligned as its type says (a varlena with a 1-byte header is never padded). What a page checksum
// cannot prove is checked on the way: every compressed value stored in the row decompresses (decompress.ts),
// a timestamp holds a value PostgreSQL can store, and no value points into a TOAST relation that holds
// nothing. A tuple whose attributes run past its end is damage too. Pure: bytes in, problems out.
import { lz4Decodes, pglzDecodes } from './decompress.js';

export const BLOCK_SIZE = 8192;

export interface PageColumn {
  name: string;
  /** pg_attribute.attlen: > 0 fixed width, -1 varlena, -2 cstring. */
  len: number;
  /** pg_attribute.attalign in bytes: 1, 2, 4 or 8. */
  align: number;
  /** What is checked in the column's values; 'none': walked over only (a dropped column, a fixed-width type). */
  check: 'none' | 'value' | 'timestamp';
}

export interface PageTally {
  tuples: number;
  compressed: number;
  timestamps: number;
}

/** One problem at a tuple of the page: its line pointer number (1-based, as in a tid) and what is wrong. */
export type PageProblem = (item: number, column: string | undefined, message: string, kind: 'value' | 'timestamp' | 'structure') => void;

// Timestamps: int64 microseconds since 2000-01-01; stored values lie in [MIN_TIMESTAMP, END_TIMESTAMP) or are
// -infinity / infinity (the int64 extremes). Compared as (high signed 32 bits, low unsigned 32 bits) pairs.
const split = (v: bigint): [number, number] => [Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asUintN(32, v))];
const [MIN_HI, MIN_LO] = split(-211813488000000000n);
const [LAST_HI, LAST_LO] = split(9223371331200000000n - 1n);
const below = (hi: number, lo: number, bHi: number, bLo: number) => hi < bHi || (hi === bHi && lo < bLo);

function storableTimestamp(lo: number, hi: number): boolean {
  if (hi === -0x80000000 && lo === 0) return true; // -infinity
  if (hi === 0x7fffffff && lo === 0xffffffff) return true; // infinity
  return !below(hi, lo, MIN_HI, MIN_LO) && !below(LAST_HI, LAST_LO, hi, lo);
}

export const u16 = (p: Uint8Array, a: number) => (p[a] as number) | ((p[a + 1] as number) << 8);
const u32 = (p: Uint8Array, a: number) => ((p[a] as number) | ((p[a + 1] as number) << 8) | ((p[a + 2] as number) << 16) | ((p[a + 3] as number) << 24)) >>> 0;

/** The leading fixed-width attributes: how many, and where the first one after them starts (tuples without nulls). */
export function fixedPrefix(columns: readonly PageColumn[]): { count: number; end: number } {
  let end = 0;
  let count = 0;
  for (const c of columns) {
    if (c.len <= 0 || c.check !== 'none') break;
    end = ((end + c.align - 1) & ~(c.align - 1)) + c.len;
    count++;
  }
  return { count, end };
}

/** Walks the heap page at p[at, at + 8192) (at: a multiple of 8 kB); false when the page header itself is unusable. */
export function checkHeapPage(p: Uint8Array, at: number, columns: readonly PageColumn[], tally: PageTally, problem: PageProblem, prefix = fixedPrefix(columns)): boolean {
  const lower = u16(p, at + 12);
  const upper = u16(p, at + 14);
  if (upper === 0) return true; // a new page: all zeroes, no tuples (PageIsNew)
  const special = u16(p, at + 16);
  if (lower < 24 || lower > upper || upper > special || special > BLOCK_SIZE) return false;
  const items = (lower - 24) >> 2;
  for (let i = 0; i < items; i++) {
    const lp = u32(p, at + 24 + 4 * i);
    const flags = (lp >>> 15) & 3;
    const len = lp >>> 17;
    if (flags !== 1 || len === 0) continue; // unused, redirect or dead: no storage
    const off = lp & 0x7fff;
    if (off < upper || off + len > special || len < 23) {
      problem(i + 1, undefined, `line pointer ${i + 1} (offset ${off}, length ${len}) lies outside the page's tuple space`, 'structure');
      continue;
    }
    tally.tuples++;
    const t = at + off;
    const end = t + len;
    const natts = u16(p, t + 18) & 0x07ff;
    const hasNull = (u16(p, t + 20) & 0x0001) !== 0;
    const hoff = p[t + 22] ?? 0;
    if (natts > columns.length || hoff < 23 || hoff > len) {
      problem(i + 1, undefined, `tuple header says ${natts} attribute(s) from offset ${hoff}; the table has ${columns.length}`, 'structure');
      continue;
    }
    // Without nulls the leading fixed-width attributes are where they always are (t + hoff is maximally aligned).
    const skip = !hasNull && natts >= prefix.count;
    let pos = t + hoff + (skip ? prefix.end : 0);
    for (let a = skip ? prefix.count : 0; a < natts; a++) {
      if (hasNull && ((p[t + 23 + (a >> 3)] ?? 0) & (1 << (a & 7))) === 0) continue;
      const col = columns[a] as PageColumn;
      const alignMask = col.align - 1;
      if (col.len > 0) {
        pos = (pos + alignMask) & ~alignMask;
        if (col.check === 'timestamp' && pos + 8 <= end) {
          tally.timestamps++;
          if (!storableTimestamp(u32(p, pos), u32(p, pos + 4) | 0)) problem(i + 1, col.name, 'timestamp', 'timestamp');
        }
        pos += col.len;
      } else if (col.len === -1) {
        if (p[pos] === 0) pos = (pos + alignMask) & ~alignMask; // padding before a 4-byte header
        const b = p[pos] ?? 0;
        let size: number;
        if (b === 0x01) {
          // An external TOAST pointer (vartag 18 on disk): this table's TOAST relation holds nothing to point at.
          size = p[pos + 1] === 18 ? 18 : 0;
          if (size === 0) {
            problem(i + 1, col.name, `a varlena header with tag ${p[pos + 1] ?? 0}, which is never stored on disk`, 'structure');
            break;
          }
          if (col.check !== 'none') problem(i + 1, col.name, `an external TOAST pointer (value ${u32(p, pos + 10)}), but the table's TOAST relation is empty: missing chunk number 0 for toast value ${u32(p, pos + 10)}`, 'value');
        } else if (b & 1) {
          size = b >>> 1;
        } else {
          size = (u32(p, pos) >>> 2) & 0x3fffffff;
          if ((b & 3) === 2 && col.check !== 'none' && pos + 8 <= end && size >= 8) {
            tally.compressed++;
            const info = u32(p, pos + 4);
            const method = info >>> 30;
            const raw = info & 0x3fffffff;
            const limit = Math.min(pos + size, end);
            if (method === 0 ? !pglzDecodes(p, pos + 8, limit, raw) : method === 1 ? !lz4Decodes(p, pos + 8, limit, raw) : true) {
              problem(i + 1, col.name, method > 1 ? `invalid compression method id ${method}` : `compressed ${method === 0 ? 'pglz' : 'lz4'} data is corrupt`, 'value');
            }
          }
        }
        if (size < 1) {
          problem(i + 1, col.name, 'a varlena of length 0', 'structure');
          break;
        }
        pos += size;
      } else {
        while (pos < end && p[pos] !== 0) pos++;
        pos++;
      }
      if (pos > end) {
        problem(i + 1, col.name, `attribute ${a + 1} (${col.name}) ends at byte ${pos - t} of a ${len}-byte tuple`, 'structure');
        break;
      }
    }
  }
  return true;
}
