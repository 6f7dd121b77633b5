// After verification: the integrity pass over the restored instance (outside the RTO unless the drill says
// inRto), then pg_checksums over the cleanly stopped copy (quick and full: every block of every file) and, at
// the same time, quick's page read of the tables it left to it (page-scan.ts). The stop ends the instance's
// life in the drill, so this is the last thing any plan does with it. Shared by both drill kinds.
import { CHECKSUMS_CHECK, PAGES_CHECK } from '../verify/integrity/check-names.js';
import { integrityOf } from '../drill/integrity-schema.js';
import type { AnyDrill } from '../drill/drill.js';
import type { CommandRunner } from '../exec/command-runner.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { CheckResult } from '../model/check-result.js';
import { checkIntegrity, FINDINGS_KEPT, type IntegrityPass, type IntegrityProgress } from '../verify/integrity/integrity.js';
import { pgChecksumsAt, runPgChecksums, type ChecksumsOutcome } from '../verify/integrity/pg-checksums.js';
import { scanStoppedCopy, type PageScanTable } from '../verify/integrity/page-scan.js';
import { describe, mib } from '../verify/integrity/integrity-pass.js';
import type { IntegrityFinding } from '../verify/integrity/integrity-finding.js';
import type { DrillResult } from '../model/result-schema.js';
import type { Timeline } from './timeline.js';

export interface IntegrityOutcome {
  inRto: boolean;
  pass: IntegrityPass;
  checksums?: ChecksumsOutcome;
  checks: CheckResult[];
}

export async function integrityStage(
  drill: AnyDrill,
  input: { timeline: Timeline; restored: PostgresInstance; runner: CommandRunner; pgChecksums: string; signal: AbortSignal; protectedTables: readonly string[] },
): Promise<IntegrityOutcome | undefined> {
  const spec = integrityOf(drill.verify);
  if (spec.integrity === 'off') return undefined;
  const level = spec.integrity;
  const progress: IntegrityProgress = { done: 0, total: 0 };
  const pass = await input.timeline.phase('integrity', () => checkIntegrity(input.restored, { ...spec, integrity: level }, { signal: input.signal, protectedTables: input.protectedTables, progress, pgChecksums: pgChecksumsAt(input.pgChecksums) }), {
    inRto: spec.inRto,
    progress: () => (progress.total > 0 ? { done: Math.round(progress.done), total: progress.total } : undefined),
  });
  const outcome: IntegrityOutcome = { inRto: spec.inRto, pass, checks: [...pass.checks] };
  if (!pass.dataChecksums) {
    outcome.checksums = { ran: false, detail: 'not run: data checksums are off in this cluster, so a damaged block is found only when it is read (as the integrity pass did)', findings: [], seconds: 0 };
    return outcome;
  }
  // pg_checksums needs a cleanly stopped copy: an operator could not do this with traffic open, so never in the RTO.
  const checked = { done: 0, total: 0 };
  const pages = pass.pageScan ?? [];
  const paged = { done: 0, total: pages.reduce((s, t) => s + t.relation.bytes, 0) };
  const reported = () => (checked.total > 0 ? { done: checked.done + paged.done, total: checked.total + paged.total } : undefined);
  const [checksums, read] = await input.timeline.phase(
    'checksums',
    async () => {
      await input.restored.stop();
      return Promise.all([
        runPgChecksums({ tool: input.pgChecksums, dataDir: input.restored.dataDir, runner: input.runner, files: pass.files ?? new Map(), progress: checked }),
        pages.length > 0 ? pageRead(pages, input.restored.dataDir, paged, input.signal) : undefined,
      ]);
    },
    // pg_checksums' final report (every file) is the last line of a run shorter than the interval.
    { progress: reported, lastReport: reported },
  );
  outcome.checksums = checksums;
  pass.findings.push(...checksums.findings);
  if (checksums.ran) {
    outcome.checks.push({ name: CHECKSUMS_CHECK, status: checksums.findings.length === 0 ? 'passed' : 'failed', detail: checksums.detail, seconds: checksums.seconds });
  }
  if (read) {
    pass.findings.push(...read.findings);
    outcome.checks.push(read.check);
  }
  return outcome;
}

/** The page read as a check: files that cannot be read make a check that could not pass, never a silent skip. */
async function pageRead(pages: readonly PageScanTable[], dataDir: string, progress: { done: number }, signal: AbortSignal): Promise<{ findings: IntegrityFinding[]; check: CheckResult }> {
  const started = performance.now();
  try {
    const r = await scanStoppedCopy(pages, dataDir, { progress, signal });
    const what = `${r.tables} table(s), ${mib(r.bytes)}, ${r.tally.tuples} tuples: ${r.tally.compressed} compressed value(s) decompress, ${r.tally.timestamps} timestamp(s) within the range PostgreSQL can store`;
    const damaged = new Set(r.findings.map((f) => `${f.database}.${f.relation}`)).size;
    const status = r.findings.length === 0 ? 'passed' : 'failed';
    const detail = r.findings.length === 0 ? what : `${damaged} of ${r.tables} tables damaged (${r.findings.length} finding(s)): ${describe(r.findings[0])}`;
    return { findings: r.findings, check: { name: PAGES_CHECK, status, detail, seconds: r.seconds } };
  } catch (error) {
    signal.throwIfAborted();
    const detail = `the stopped copy's pages could not be read: ${(error as Error).message}`;
    return { findings: [], check: { name: PAGES_CHECK, status: 'failed', detail, seconds: (performance.now() - started) / 1000 } };
  }
}

/** result.json's integrity section. */
export function integritySection(o: IntegrityOutcome): NonNullable<DrillResult['integrity']> {
  const p = o.pass;
  return {
    level: p.level,
    inRto: o.inRto,
    jobs: p.jobs,
    databases: p.databases,
    restoredBytes: p.restoredBytes,
    tablesRead: p.tablesRead,
    rowsRead: p.rowsRead,
    bytesRead: p.bytesRead,
    readSeconds: p.readSeconds,
    readBytesPerSecond: p.readSeconds > 0 ? p.bytesRead / p.readSeconds : null,
    ...(p.indexesChecked !== undefined ? { indexesChecked: p.indexesChecked } : {}),
    ...(p.heapsChecked !== undefined ? { heapsChecked: p.heapsChecked } : {}),
    dataChecksums: p.dataChecksums,
    ...(o.checksums ? { checksums: { ran: o.checksums.ran, detail: o.checksums.detail, seconds: o.checksums.seconds, ...(o.checksums.blocksScanned !== undefined ? { blocksScanned: o.checksums.blocksScanned } : {}) } } : {}),
    findingsTotal: p.findings.length,
    findings: p.findings.slice(0, FINDINGS_KEPT),
    rowCounts: p.rowCounts,
    notes: p.notes,
  };
}
