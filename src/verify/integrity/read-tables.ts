// A full read: every table of every database read end to end, once (full, and quick where checksums cannot
// prove the pages). Each row is turned into text (t::text), which fetches and decompresses every TOASTed value
// and runs every column's output function, so a damaged heap page, a missing TOAST chunk or an undecodable
// value fails the read that hits it; timestamps that print but cannot have been stored are counted in the
// same query (timestamp-range.ts). Nothing is sent back but counts.
import type { Relation } from './catalog.js';
import { rangeFilter, type BlockRange } from './block-ranges.js';
import { inParallel } from './connection-pool.js';
import { failedRange, type IntegrityFinding } from './integrity-finding.js';
import { rangeCounts, rangeFindings, type RangeTest } from './timestamp-range.js';
import type pg from 'pg';

export interface TableRead {
  relation: Relation;
  rows: number;
  /** Bytes of the rows as text (what a dump would write), besides the on-disk size in relation.bytes. */
  textBytes: number;
}

export interface ReadPass {
  read: TableRead[];
  findings: IntegrityFinding[];
}

export async function readTables(
  ranges: readonly BlockRange[],
  opts: { jobs: number; connect(database: string): Promise<pg.Client>; signal: AbortSignal; onDone?(item: BlockRange): void; plans?: ReadonlyMap<Relation, { outOfRange: readonly RangeTest[] }> },
): Promise<ReadPass> {
  const findings: IntegrityFinding[] = [];
  // Per table: rows and text bytes summed over its ranges, and how many ranges read without error.
  const tally = new Map<Relation, { rows: number; textBytes: number; ok: number; parts: number }>();
  await inParallel(ranges, {
    ...opts,
    databaseOf: (r) => r.relation.database,
    work: async (client, r) => {
      const tests = opts.plans?.get(r.relation)?.outOfRange ?? [];
      const { rows } = await client.query<{ n: string; text_bytes: string }>(
        `select count(*)::text as n, coalesce(sum(octet_length(t::text)), 0)::text as text_bytes${rangeCounts(tests)} from only ${r.relation.name} t${rangeFilter(r)}`,
      );
      findings.push(...rangeFindings(tests, rows[0] ?? {}, r));
      const t = tally.get(r.relation) ?? { rows: 0, textBytes: 0, ok: 0, parts: r.parts };
      tally.set(r.relation, { ...t, rows: t.rows + Number(rows[0]?.n ?? 0), textBytes: t.textBytes + Number(rows[0]?.text_bytes ?? 0), ok: t.ok + 1 });
    },
    onError: (r, error, notices) => findings.push(failedRange('read', r, error, notices)),
  });
  const read = [...tally.entries()].filter(([, t]) => t.ok === t.parts).map(([relation, t]) => ({ relation, rows: t.rows, textBytes: t.textBytes }));
  return { read, findings };
}
