// What both integrity passes (integrity.ts: full; quick-pass.ts: quick) report and how: the pass's shape, its
// checks, its row counts, the weight of an item for the progress line.
import type { CheckResult } from '../../model/check-result.js';
import type { BlockRange } from './block-ranges.js';
import type { Relation } from './catalog.js';
import type { IntegrityFinding } from './integrity-finding.js';
import type { PageScanTable } from './page-scan.js';

/** Row counts kept per run (result.json, the history page): the drill's own tables first, then the largest. */
export const ROW_COUNTS_KEPT = 100;
/** Findings kept in result.json (all are counted). */
export const FINDINGS_KEPT = 200;

export interface RowCount {
  database: string;
  table: string;
  rows: number;
  bytes: number;
  /** The planner's estimate (pg_class.reltuples): the quick pass proved this table by its page checksums, no scan counted it. */
  estimated?: true;
}

export interface IntegrityPass {
  level: 'quick' | 'full';
  jobs: number;
  databases: string[];
  /** pg_database_size summed over them, read before anything was checked. */
  restoredBytes: number;
  tablesRead: number;
  rowsRead: number;
  bytesRead: number;
  readSeconds: number;
  indexesChecked?: number;
  heapsChecked?: number;
  findings: IntegrityFinding[];
  rowCounts: RowCount[];
  /** Data files -> relation, read now for pg_checksums after the stop. */
  files: Map<string, string>;
  dataChecksums: boolean;
  /** pg_checksums is to prove every block once the server is stopped (the runner's next step). */
  blockProof: boolean;
  /** quick: the tables to read from their pages beside pg_checksums (page-scan.ts), their values checked there. */
  pageScan?: PageScanTable[];
  checks: CheckResult[];
  /** What the pass could not do here, said in the report (never a silent skip). */
  notes: string[];
}

/** Bytes of tables and indexes checked so far against all the pass will check (its progress line). */
export interface IntegrityProgress {
  done: number;
  total: number;
}

/** What one item of the pool stands for: a table's share for a block range, an index's size. */
export const weight = (item: Relation | BlockRange): number => ('relation' in item ? item.relation.bytes / item.parts : item.bytes);

export const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

export function passCheck(name: string, found: readonly IntegrityFinding[], startedAt: number, clean: string, damaged: string): CheckResult {
  return { name, status: found.length === 0 ? 'passed' : 'failed', detail: found.length === 0 ? clean : `${damaged}: ${describe(found[0])}`, seconds: (performance.now() - startedAt) / 1000 };
}

/** "shop: public.orders, block 3: invalid page ..." */
export function describe(f: IntegrityFinding | undefined): string {
  if (!f) return '';
  return `${f.database ? `${f.database}: ` : ''}${f.relation}${f.block !== null ? `, block ${f.block}` : ''}: ${f.message}`;
}

export function rowCounts(read: ReadonlyArray<{ relation: Relation; rows: number; estimated?: true }>, named: readonly string[]): RowCount[] {
  const bare = (s: string) => s.replace(/"/g, '').replace(/^public\./, '');
  const wanted = new Set(named.map(bare));
  const user = read.filter((r) => !r.relation.system);
  const isNamed = (r: { relation: Relation }) => wanted.has(bare(r.relation.name)) || wanted.has(`${r.relation.database}: ${bare(r.relation.name)}`);
  return [...user.filter(isNamed), ...user.filter((r) => !isNamed(r)).sort((a, b) => b.relation.bytes - a.relation.bytes)]
    .slice(0, ROW_COUNTS_KEPT)
    .map((r) => ({ database: r.relation.database, table: r.relation.name, rows: r.rows, bytes: r.relation.bytes, ...(r.estimated ? { estimated: true as const } : {}) }));
}
