// The integrity pass over a restored instance (verify: - integrity: quick | full): quick reads every table of
// every database end to end; full adds amcheck on every B-tree index and verify_heapam on every table, each a
// pass over `jobs` connections. pg_checksums, which needs the server stopped, is the runner's next step
// (stage-integrity.ts). Each pass is a check with its own duration; findings name what a DBA repairs.
import { AMCHECK_CHECK, HEAPAM_CHECK, READ_CHECK } from './check-names.js';
import os from 'node:os';
import type { IntegritySpec } from '../../drill/integrity-schema.js';
import type { PostgresInstance } from '../../providers/provider.js';
import type { CheckResult } from '../../model/check-result.js';
import { checkHeaps, checkIndexes, installAmcheck } from './amcheck.js';
import { connectableDatabases, databasesBytes, relationFiles, relationsOf, type Relation } from './catalog.js';
import type { IntegrityFinding } from './integrity-finding.js';
import { readTables, type TableRead } from './read-tables.js';
import { blockRanges, type BlockRange } from './block-ranges.js';

/** Row counts kept per run (result.json, the history page): the drill's own tables first, then the largest. */
export const ROW_COUNTS_KEPT = 100;
/** Findings kept in result.json (all are counted). */
export const FINDINGS_KEPT = 200;

export interface RowCount {
  database: string;
  table: string;
  rows: number;
  bytes: number;
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
  /** full: data files -> relation, read now for pg_checksums after the stop. */
  files?: Map<string, string>;
  dataChecksums: boolean;
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
  opts: { signal: AbortSignal; protectedTables?: readonly string[]; progress?: IntegrityProgress },
): Promise<IntegrityPass> {
  const jobs = spec.jobs ?? Math.max(1, os.availableParallelism());
  const connect = (db: string) => instance.connect(db);
  const databases = await connectableDatabases(instance);
  const [version] = await instance.query<{ n: string }>(`select current_setting('server_version_num') as n`);
  const versionNum = Number(version?.n ?? 0);
  const restoredBytes = await databasesBytes(instance);
  const [cs] = await instance.query<{ on: boolean }>(`select current_setting('data_checksums') = 'on' as on`);
  const relations: Relation[] = [];
  const files = new Map<string, string>();
  for (const db of databases) {
    const client = await connect(db);
    try {
      relations.push(...(await relationsOf(client, db)));
      if (spec.integrity === 'full') for (const [f, r] of await relationFiles(client, db)) files.set(f, r);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const bySize = (a: Relation, b: Relation) => b.bytes - a.bytes;
  const tables = relations.filter((r) => r.kind === 'table').sort(bySize);
  const indexes = relations.filter((r) => r.kind === 'index').sort(bySize);
  const progress = opts.progress;
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
    dataChecksums: cs?.on === true,
    checks,
    notes: [],
  };
  if (spec.integrity !== 'full') return pass;
  pass.files = files;

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

function rowCounts(read: readonly TableRead[], named: readonly string[]): RowCount[] {
  const bare = (s: string) => s.replace(/"/g, '').replace(/^public\./, '');
  const wanted = new Set(named.map(bare));
  const user = read.filter((r) => !r.relation.system);
  const isNamed = (r: TableRead) => wanted.has(bare(r.relation.name)) || wanted.has(`${r.relation.database}: ${bare(r.relation.name)}`);
  return [...user.filter(isNamed), ...user.filter((r) => !isNamed(r)).sort((a, b) => b.relation.bytes - a.relation.bytes)]
    .slice(0, ROW_COUNTS_KEPT)
    .map((r) => ({ database: r.relation.database, table: r.relation.name, rows: r.rows, bytes: r.relation.bytes }));
}
