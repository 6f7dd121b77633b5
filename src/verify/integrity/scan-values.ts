// The quick pass's row scan, for the tables value-plan.ts says need one: the values that can fail to decode
// are decoded, timestamps compared with the range PostgreSQL can store, and the rows counted; nothing else is turned
// into text. A damaged page met on the way fails the scan the same way a full read does. Over block ranges.
import type pg from 'pg';
import { rangeFilter, type BlockRange } from './block-ranges.js';
import { inParallel } from './connection-pool.js';
import { failedRange, type IntegrityFinding } from './integrity-finding.js';
import { rangeCounts, rangeFindings } from './timestamp-range.js';
import type { TablePlan } from './value-plan.js';
import type { Relation } from './catalog.js';

export interface ScanPass {
  /** Exact row counts of the tables scanned whole (every range without error). */
  counted: Map<Relation, number>;
  findings: IntegrityFinding[];
}

export async function scanValues(
  ranges: readonly BlockRange[],
  plans: ReadonlyMap<Relation, TablePlan>,
  opts: { jobs: number; connect(database: string): Promise<pg.Client>; signal: AbortSignal; onDone?(item: BlockRange): void },
): Promise<ScanPass> {
  const findings: IntegrityFinding[] = [];
  const tally = new Map<Relation, { rows: number; ok: number; parts: number }>();
  await inParallel(ranges, {
    ...opts,
    databaseOf: (r) => r.relation.database,
    work: async (client, r) => {
      const plan = plans.get(r.relation);
      if (!plan) return;
      const decoded = plan.decode.length ? plan.decode.map((e) => `coalesce(sum(octet_length(${e})), 0)`).join(' + ') : '0';
      const { rows } = await client.query<Record<string, string>>(
        `select count(*)::text as n, (${decoded})::text as decoded${rangeCounts(plan.outOfRange)} from only ${r.relation.name} t${rangeFilter(r)}`,
      );
      const row = rows[0] ?? {};
      findings.push(...rangeFindings(plan.outOfRange, row, r));
      const t = tally.get(r.relation) ?? { rows: 0, ok: 0, parts: r.parts };
      tally.set(r.relation, { ...t, rows: t.rows + Number(row['n'] ?? 0), ok: t.ok + 1 });
    },
    onError: (r, error, notices) => findings.push(failedRange('read', r, error, notices)),
  });
  const counted = new Map([...tally.entries()].filter(([, t]) => t.ok === t.parts).map(([relation, t]) => [relation, t.rows]));
  return { counted, findings };
}
