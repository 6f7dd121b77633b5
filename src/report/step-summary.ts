// A Markdown table for GitHub Actions' job summary (appended to $GITHUB_STEP_SUMMARY when it is set).
import { appendFileSync } from 'node:fs';
import { formatSeconds } from '../model/format.js';
import type { DrillResult } from '../model/result-schema.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const icon = (status: string) => (status === 'passed' ? '✅' : status === 'failed' ? '❌' : status === 'unverified' ? '🟡' : '⚠️');

export function buildStepSummary(results: DrillResult[], runId: string): string {
  const fmt = (v: number | null) => (v === null ? 'n/a' : formatSeconds(v));
  const rows = results.map(
    (r) =>
      `| ${cell(r.drill.name)} | ${icon(r.status)} ${r.status.toUpperCase()} | ${fmt(r.measured.rtoSeconds)} / ${formatSeconds(r.objectives.rtoSeconds)} | ` +
      `${fmt(r.measured.rpoSeconds)} / ${formatSeconds(r.objectives.rpoSeconds)} | ${cell((r.diagnosis ?? r.expectation.detail).split('\n')[0] ?? '')} |`,
  );
  return [`### pgdrill run ${runId}`, '', '| drill | verdict | RTO measured / objective | RPO measured / objective | notes |', '|---|---|---|---|---|', ...rows, ''].join('\n');
}

export function appendStepSummary(file: string, results: DrillResult[], runId: string): void {
  appendFileSync(file, `${buildStepSummary(results, runId)}\n`);
}
