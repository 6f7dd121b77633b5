// The quick pass (the default): the row scan and the TOAST check only where value-plan.ts says they add what
// page checksums cannot prove; pg_checksums over the stopped copy (stage-integrity.ts) proves every block.
// Without that proof (checksums off, no pg_checksums) every table gets verify_heapam; before PostgreSQL 14, or
// without amcheck, those tables are read end to end instead.
import type pg from 'pg';
import { checkHeaps, installAmcheck } from './amcheck.js';
import { blockRanges, type BlockRange } from './block-ranges.js';
import type { Relation } from './catalog.js';
import { VALUES_CHECK } from './check-names.js';
import type { IntegrityFinding } from './integrity-finding.js';
import { passCheck, rowCounts, weight, type IntegrityPass, type IntegrityProgress } from './integrity-pass.js';
import { readTables } from './read-tables.js';
import { scanValues } from './scan-values.js';
import type { TablePlan } from './value-plan.js';

export interface QuickInput {
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

export async function quickPass(q: QuickInput): Promise<IntegrityPass> {
  const t0 = performance.now();
  // The tables left to the page read are not decoded here; only counted when the planner has no estimate.
  const plans = new Map([...q.plans].map(([r, p]) => [r, p.pages ? { ...p, decode: [], outOfRange: [] } : p]));
  const notes: string[] = [];
  if (!q.blockProof) notes.push('no block was proven by a checksum (data checksums off, or no pg_checksums with these binaries): every table was checked tuple by tuple with verify_heapam instead');
  const findings: IntegrityFinding[] = [];
  let heapTables = [...plans.values()].filter((p) => p.heapCheck).map((p) => p.relation);
  const scanned = [...plans.values()].filter((p) => p.decode.length > 0 || p.outOfRange.length > 0 || p.countRows);
  const onPages = [...plans.values()].flatMap((p) => (p.pages ? [p.pages] : []));
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
    const read = await readTables(blockRanges(readWhole, q.jobs, q.versionNum), { ...pool, plans });
    findings.push(...read.findings);
    for (const r of read.read) counted.set(r.relation, r.rows);
  }
  const values = await scanValues(blockRanges(scan.map((p) => p.relation), q.jobs, q.versionNum), plans, pool);
  findings.push(...values.findings);
  for (const [r, n] of values.counted) if (!counted.has(r)) counted.set(r, n);
  const readSeconds = (performance.now() - t0) / 1000;
  const decodedColumns = scan.reduce((s, p) => s + p.decode.length + p.outOfRange.length, 0);
  const damagedTables = new Set(findings.map((f) => `${f.database}.${f.relation}`)).size;
  // What was read while the server ran (each table once, however many checks looked at it); pg_checksums reads the rest.
  const looked = [...new Set([...scan.map((p) => p.relation), ...heapTables, ...readWhole])];
  const proven = q.tables.filter((t) => !looked.includes(t) && !plans.get(t)?.pages).length;
  const pageColumns = onPages.reduce((s, t) => s + t.columns.filter((c) => c.check !== 'none').length, 0);
  const check = passCheck(
    VALUES_CHECK,
    findings,
    t0,
    `${q.tables.length} tables in ${q.databases.length} database(s): ${scan.length} scanned for the ${decodedColumns} column(s) whose values can fail to decode, ${heapTables.length} checked with their TOAST (verify_heapam), ${readWhole.length} read end to end; ${onPages.length} left to the page read after the stop (${pageColumns} column(s) of compressed byte strings or timestamps); ${proven} proven by their page checksums alone`,
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
    bytesRead: bytesOf(looked),
    readSeconds,
    heapsChecked: heapTables.length,
    findings,
    rowCounts: rowCounts(rows, q.protectedTables),
    files: q.files,
    dataChecksums: q.dataChecksums,
    blockProof: q.blockProof,
    ...(onPages.length > 0 ? { pageScan: onPages } : {}),
    checks: [check],
    notes,
  };
}

