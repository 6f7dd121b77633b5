// The integrity pass over a restored instance (verify: - integrity: quick | full), each part a pass over `jobs`
// connections. quick, the default, proves every block with pg_checksums over the stopped copy (the runner's next
// step, stage-integrity.ts) and, while the server runs, checks only what a checksum cannot prove: the chunks of
// every TOASTed value and the values that can fail to decode (value-plan.ts). Where checksums cannot prove the
// pages (data checksums off, no pg_checksums with these binaries) it checks every table with verify_heapam.
// full reads every table end to end (every value decoded), then amcheck on every B-tree index and
// verify_heapam on every table, then pg_checksums. Each pass is a check with its own duration; findings name
// what a DBA repairs.
import { AMCHECK_CHECK, HEAPAM_CHECK, READ_CHECK, VALUES_CHECK } from './check-names.js';
import os from 'node:os';
import type { IntegritySpec } from '../../drill/integrity-schema.js';
import type { PostgresInstance } from '../../providers/provider.js';
import type { CheckResult } from '../../model/check-result.js';
import { checkHeaps, checkIndexes, installAmcheck } from './amcheck.js';
import { instanceFacts, relationFiles, relationsOf, type Relation } from './catalog.js';
import type { IntegrityFinding } from './integrity-finding.js';
import { readTables } from './read-tables.js';
import type pg from 'pg';
import { blockRanges, type BlockRange } from './block-ranges.js';
import { planTables, type TablePlan } from './value-plan.js';
import { scanValues } from './scan-values.js';

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
const weight = (item: Relation | BlockRange): number => ('relation' in item ? item.relation.bytes / item.parts : item.bytes);

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

export async function checkIntegrity(
  instance: PostgresInstance,
  spec: IntegritySpec & { integrity: 'quick' | 'full' },
  opts: { signal: AbortSignal; protectedTables?: readonly string[]; progress?: IntegrityProgress; pgChecksums?: boolean },
): Promise<IntegrityPass> {
  const jobs = spec.jobs ?? Math.max(1, os.availableParallelism());
  const connect = (db: string) => instance.connect(db);
  const { databases, versionNum, restoredBytes, dataChecksums } = await instanceFacts(instance);
  const relations: Relation[] = [];
  const files = new Map<string, string>();
  const blockProof = dataChecksums && opts.pgChecksums === true;
  const plans = new Map<Relation, TablePlan>();
  for (const db of databases) {
    const client = await connect(db);
    try {
      const here = await relationsOf(client, db);
      relations.push(...here);
      for (const [f, r] of await relationFiles(client, db)) files.set(f, r);
      if (spec.integrity === 'quick') for (const p of await planTables(client, here.filter((r) => r.kind === 'table'), blockProof)) plans.set(p.relation, p);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const bySize = (a: Relation, b: Relation) => b.bytes - a.bytes;
  const tables = relations.filter((r) => r.kind === 'table').sort(bySize);
  const indexes = relations.filter((r) => r.kind === 'index').sort(bySize);
  const progress = opts.progress;
  if (spec.integrity === 'quick') return quickPass({ instance, tables, plans, databases, versionNum, restoredBytes, files, blockProof, dataChecksums, jobs, connect, signal: opts.signal, progress, protectedTables: opts.protectedTables ?? [] });
  if (progress) {
    const tableBytes = tables.reduce((sum, r) => sum + r.bytes, 0);
    // full: the tables read, the indexes checked, the tables checked again by verify_heapam (PostgreSQL 14+).
    progress.total = spec.integrity === 'full' ? tableBytes * (versionNum >= 140000 ? 2 : 1) + indexes.reduce((sum, r) => sum + r.bytes, 0) : tableBytes;
  }
  const pool = { jobs, connect, signal: opts.signal, onDone: (item: Relation | BlockRange) => void (progress && (progress.done += weight(item))) };
  const checks: CheckResult[] = [];
  const findings: IntegrityFinding[] = [];

  let t0 = performance.now();
  const ranges = blockRanges(tables, jobs, versionNum);
  const read = await readTables(ranges, pool);
  const readSeconds = (performance.now() - t0) / 1000;
  findings.push(...read.findings);
  const rowsRead = read.read.reduce((s, r) => s + r.rows, 0);
  const bytesRead = read.read.reduce((s, r) => s + r.relation.bytes, 0);
  checks.push(
    passCheck(
      READ_CHECK,
      read.findings,
      t0,
      `${tables.length} tables in ${databases.length} database(s) read: ${rowsRead} rows, ${mib(bytesRead)} on disk (TOAST included), ${jobs} connection(s)`,
      `${new Set(read.findings.map((f) => `${f.database}.${f.relation}`)).size} of ${tables.length} tables could not be read (${read.findings.length} finding(s))`,
    ),
  );

  const pass: IntegrityPass = {
    level: spec.integrity,
    jobs,
    databases,
    restoredBytes,
    tablesRead: read.read.length,
    rowsRead,
    bytesRead,
    readSeconds,
    findings,
    rowCounts: rowCounts(read.read, opts.protectedTables ?? []),
    files,
    dataChecksums,
    blockProof,
    checks,
    notes: [],
  };

  let schemaOf: Map<string, string>;
  try {
    schemaOf = await installAmcheck(databases, connect);
  } catch (error) {
    const detail = `amcheck is not available on this server: ${(error as Error).message}; install the contrib modules with the server binaries (Debian: postgresql-<major>; RHEL: postgresql<major>-contrib) or write integrity: quick`;
    checks.push({ name: AMCHECK_CHECK, status: 'failed', detail, seconds: 0 });
    return pass;
  }
  const amOpts = { ...pool, schemaOf };
  t0 = performance.now();
  const idx = await checkIndexes(indexes, amOpts);
  findings.push(...idx.findings);
  pass.indexesChecked = idx.checked;
  checks.push(passCheck(AMCHECK_CHECK, idx.findings, t0, `${idx.checked} indexes consistent with their tables (${mib(indexes.reduce((s, r) => s + r.bytes, 0))})`, `${idx.findings.length} of ${indexes.length} indexes damaged`));

  if (versionNum < 140000) {
    pass.notes.push(`verify_heapam not run: it needs PostgreSQL 14 or later (this sandbox runs ${versionNum}); the tables were read end to end instead`);
    return pass;
  }
  t0 = performance.now();
  const heap = await checkHeaps(ranges, amOpts);
  findings.push(...heap.findings);
  pass.heapsChecked = heap.checked;
  checks.push(passCheck(HEAPAM_CHECK, heap.findings, t0, `${heap.checked} tables and their TOAST structurally sound`, `${new Set(heap.findings.map((f) => f.relation)).size} table(s) damaged`));
  return pass;
}


/** One pass as a check: passed with what it covered, or failed with how much it found and the first finding. */
function passCheck(name: string, found: readonly IntegrityFinding[], startedAt: number, clean: string, damaged: string): CheckResult {
  return { name, status: found.length === 0 ? 'passed' : 'failed', detail: found.length === 0 ? clean : `${damaged}: ${describe(found[0])}`, seconds: (performance.now() - startedAt) / 1000 };
}

/** "shop: public.orders, block 3: invalid page ..." */
export function describe(f: IntegrityFinding | undefined): string {
  if (!f) return '';
  return `${f.database ? `${f.database}: ` : ''}${f.relation}${f.block !== null ? `, block ${f.block}` : ''}: ${f.message}`;
}

interface QuickInput {
  instance: PostgresInstance;
  tables: Relation[];
  /** value-plan.ts's scan of each table, planned over the catalog connection. */
  plans: ReadonlyMap<Relation, TablePlan>;
  databases: string[];
  versionNum: number;
  restoredBytes: number;
  files: Map<string, string>;
  blockProof: boolean;
  dataChecksums: boolean;
  jobs: number;
  connect(db: string): Promise<pg.Client>;
  signal: AbortSignal;
  progress: IntegrityProgress | undefined;
  protectedTables: readonly string[];
}

/** quick: the row scan and the TOAST check only where value-plan.ts says they add what checksums cannot prove. */
async function quickPass(q: QuickInput): Promise<IntegrityPass> {
  const t0 = performance.now();
  const plans = q.plans;
  const notes: string[] = [];
  if (!q.blockProof) notes.push('no block was proven by a checksum (data checksums off, or no pg_checksums with these binaries): every table was checked tuple by tuple with verify_heapam instead');
  const findings: IntegrityFinding[] = [];
  let heapTables = [...plans.values()].filter((p) => p.heapCheck).map((p) => p.relation);
  const scanned = [...plans.values()].filter((p) => p.decode.length > 0 || p.outOfRange.length > 0 || p.countRows);
  // Without verify_heapam (PostgreSQL 13, or no amcheck) every value of those tables is decoded instead.
  let schemaOf: Map<string, string> | undefined;
  if (heapTables.length > 0 && q.versionNum >= 140000) {
    try {
      schemaOf = await installAmcheck([...new Set(heapTables.map((t) => t.database))], q.connect);
    } catch (error) {
      notes.push(`verify_heapam not available (${(error as Error).message}): those tables were read end to end instead`);
    }
  } else if (heapTables.length > 0) notes.push(`verify_heapam needs PostgreSQL 14 or later (this sandbox runs ${q.versionNum}): those tables were read end to end instead`);
  const readWhole = schemaOf ? [] : heapTables;
  if (!schemaOf) heapTables = [];
  const scan = scanned.filter((p) => !readWhole.includes(p.relation));
  const bytesOf = (rs: readonly Relation[]) => rs.reduce((s, r) => s + r.bytes, 0);
  if (q.progress) q.progress.total = bytesOf(heapTables) + bytesOf(scan.map((p) => p.relation)) + bytesOf(readWhole);
  const pool = { jobs: q.jobs, connect: q.connect, signal: q.signal, onDone: (item: Relation | BlockRange) => void (q.progress && (q.progress.done += weight(item))) };
  const counted = new Map<Relation, number>();
  if (schemaOf && heapTables.length > 0) findings.push(...(await checkHeaps(blockRanges(heapTables, q.jobs, q.versionNum), { ...pool, schemaOf })).findings);
  if (readWhole.length > 0) {
    const read = await readTables(blockRanges(readWhole, q.jobs, q.versionNum), pool);
    findings.push(...read.findings);
    for (const r of read.read) counted.set(r.relation, r.rows);
  }
  const values = await scanValues(blockRanges(scan.map((p) => p.relation), q.jobs, q.versionNum), plans, pool);
  findings.push(...values.findings);
  for (const [r, n] of values.counted) if (!counted.has(r)) counted.set(r, n);
  const readSeconds = (performance.now() - t0) / 1000;
  const decodedColumns = scan.reduce((s, p) => s + p.decode.length + p.outOfRange.length, 0);
  const damagedTables = new Set(findings.map((f) => `${f.database}.${f.relation}`)).size;
  const check = passCheck(
    VALUES_CHECK,
    findings,
    t0,
    `${q.tables.length} tables in ${q.databases.length} database(s): ${scan.length} scanned for the ${decodedColumns} column(s) whose values can fail to decode, ${heapTables.length} checked with their TOAST (verify_heapam), ${readWhole.length} read end to end; ${q.tables.length - new Set([...scan.map((p) => p.relation), ...heapTables, ...readWhole]).size} proven by their page checksums alone`,
    `${damagedTables} of ${q.tables.length} tables damaged (${findings.length} finding(s))`,
  );
  const rows = [...plans.values()].map((p) => (counted.has(p.relation) ? { relation: p.relation, rows: counted.get(p.relation) ?? 0 } : { relation: p.relation, rows: p.estimatedRows, estimated: true as const }));
  return {
    level: 'quick',
    jobs: q.jobs,
    databases: q.databases,
    restoredBytes: q.restoredBytes,
    tablesRead: q.tables.length,
    rowsRead: [...counted.values()].reduce((s, n) => s + n, 0),
    bytesRead: bytesOf(q.tables),
    readSeconds,
    heapsChecked: heapTables.length,
    findings,
    rowCounts: rowCounts(rows, q.protectedTables),
    files: q.files,
    dataChecksums: q.dataChecksums,
    blockProof: q.blockProof,
    checks: [check],
    notes,
  };
}

function rowCounts(read: ReadonlyArray<{ relation: Relation; rows: number; estimated?: true }>, named: readonly string[]): RowCount[] {
  const bare = (s: string) => s.replace(/"/g, '').replace(/^public\./, '');
  const wanted = new Set(named.map(bare));
  const user = read.filter((r) => !r.relation.system);
  const isNamed = (r: { relation: Relation }) => wanted.has(bare(r.relation.name)) || wanted.has(`${r.relation.database}: ${bare(r.relation.name)}`);
  return [...user.filter(isNamed), ...user.filter((r) => !isNamed(r)).sort((a, b) => b.relation.bytes - a.relation.bytes)]
    .slice(0, ROW_COUNTS_KEPT)
    .map((r) => ({ database: r.relation.database, table: r.relation.name, rows: r.rows, bytes: r.relation.bytes, ...(r.estimated ? { estimated: true as const } : {}) }));
}
