// JUnit XML for CI systems: one test suite per drill with a test case for the drill itself (its verdict and
// diagnosis) and one per check, so a failing check shows natively in the CI's test view.
import junitReportBuilder, { type Builder } from 'junit-report-builder';
import { writeFileAtomic } from './atomic-write.js';
import type { DrillResult } from '../model/result-schema.js';
import type { DrillChecks } from '../pipeline/finding.js';

// The package is CommonJS and exports the builder itself as module.exports.
const builder = junitReportBuilder as unknown as Builder;

export function buildJunit(results: DrillResult[]): string {
  const report = builder.newBuilder().name('pgdrill');
  for (const r of results) {
    const suite = report.testSuite().name(r.drill.name).timestamp(r.startedAt).time(secondsBetween(r.startedAt, r.endedAt));
    suite.property('rtoSeconds', String(r.measured.rtoSeconds ?? '')).property('rpoSeconds', String(r.measured.rpoSeconds ?? ''));
    const drillCase = suite.testCase().className(`pgdrill.${r.drill.name}`).name('drill').time(secondsBetween(r.startedAt, r.endedAt));
    if (r.status === 'failed') drillCase.failure(r.diagnosis ?? r.verdict, 'DrillFailed');
    if (r.status === 'error') drillCase.error(r.error?.message ?? r.diagnosis ?? r.verdict, r.error?.name ?? 'DrillError', r.diagnosis);
    // Could not be judged: skipped, with the reason, never a pass.
    if (r.status === 'unverified') drillCase.skipped();
    drillCase.standardOutput(r.status === 'unverified' ? `${r.verdict}\n${r.diagnosis ?? ''}`.trim() : r.verdict);
    for (const c of r.checks) {
      const tc = suite.testCase().className(`pgdrill.${r.drill.name}`).name(c.name);
      if (c.seconds !== undefined) tc.time(c.seconds);
      // The stable finding code is the failure's type: CI views group and filter by it.
      if (c.status === 'failed') tc.failure(c.detail, c.code ?? 'CheckFailed');
      if (c.status === 'unverified') tc.skipped();
      tc.standardOutput(c.detail);
    }
  }
  return report.build();
}

/** `pgdrill check`: one suite per drill, one case per finding; a warning passes with its text and fix as output. */
export function buildCheckJunit(drills: readonly DrillChecks[]): string {
  const report = builder.newBuilder().name('pgdrill check');
  for (const d of drills) {
    const suite = report.testSuite().name(`check ${d.drill}`);
    if (d.backup) suite.property('newestBackup', d.backup);
    for (const f of d.findings) {
      const tc = suite.testCase().className(`pgdrill.check.${d.drill}`).name(f.check);
      const text = `${f.status.toUpperCase()}: ${f.detail}${f.fix ? `\nfix: ${f.fix}` : ''}`;
      if (f.status === 'failed') tc.failure(text, 'CheckFailed');
      tc.standardOutput(text);
    }
  }
  return report.build();
}

export function writeJunit(file: string, results: DrillResult[]): void {
  writeFileAtomic(file, buildJunit(results));
}

function secondsBetween(a: string, b: string): number {
  return Math.max(0, (Date.parse(b) - Date.parse(a)) / 1000);
}
