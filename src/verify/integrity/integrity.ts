// The integrity pass over a restored instance (verify: - integrity: quick | full), each part a pass over `jobs`
// connections. quick, the default, proves every block with pg_checksums over the stopped copy (the runner's next
// step, stage-integrity.ts) and, while the server runs, checks only what a checksum cannot prove: the chunks of
// every TOASTed value and the values that can fail to decode (value-plan.ts). Where checksums cannot prove the
// pages (data checksums off, no pg_checksums with these binaries) it checks every table with verify_heapam.
// full reads every table end to end (every value decoded), then amcheck on every B-tree index and
// verify_heapam on every table, then pg_checksums. Each pass is a check with its own duration; findings name
// what a DBA repairs. The shared shape of a pass is integrity-pass.ts; quick is quick-pass.ts.
import os from 'node:os';
import type { IntegritySpec } from '../../drill/integrity-schema.js';
import type { CheckResult } from '../../model/check-result.js';
import type { PostgresInstance } from '../../providers/provider.js';
import { checkHeaps, checkIndexes, installAmcheck } from './amcheck.js';
import { blockRanges, type BlockRange } from './block-ranges.js';
import { instanceFacts, relationFiles, relationsOf, type Relation } from './catalog.js';
import { AMCHECK_CHECK, HEAPAM_CHECK, READ_CHECK } from './check-names.js';
import type { IntegrityFinding } from './integrity-finding.js';
import { mib, passCheck, rowCounts, weight, type IntegrityPass, type IntegrityProgress } from './integrity-pass.js';
import { quickPass } from './quick-pass.js';
import { readTables } from './read-tables.js';
import { planTables, type TablePlan } from './value-plan.js';

export { describe, FINDINGS_KEPT, ROW_COUNTS_KEPT, type IntegrityPass, type IntegrityProgress, type RowCount } from './integrity-pass.js';

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
      for (const p of await planTables(client, here.filter((r) => r.kind === 'table'), blockProof)) plans.set(p.relation, p);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const bySize = (a: Relation, b: Relation) => b.bytes - a.bytes;
  const tables = relations.filter((r) => r.kind === 'table').sort(bySize);
  const indexes = relations.filter((r) => r.kind === 'index').sort(bySize);
  const progress = opts.progress;
  if (spec.integrity === 'quick') return quickPass({ tables, plans, databases, versionNum, restoredBytes, files, blockProof, dataChecksums, jobs, connect, signal: opts.signal, progress, protectedTables: opts.protectedTables ?? [] });
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
  const read = await readTables(ranges, { ...pool, plans });
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
