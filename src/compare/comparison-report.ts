// The comparison as Markdown (for READMEs and PRs) and as a self-contained HTML page with stacked RTO bars.
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatSeconds } from '../model/format.js';
import { templateFile } from '../report/template-file.js';
import { formatBytes } from '../report/view-helpers.js';
import type { Comparison } from './comparison.js';

const s = (v: number | null) => (v === null ? 'n/a' : formatSeconds(v));

export function comparisonMarkdown(c: Comparison): string {
  const lines = [
    `### ${c.drill}: backup methods compared (run ${c.runId})`,
    '',
    `Objectives: RTO ${formatSeconds(c.objectives.rtoSeconds)}, RPO ${formatSeconds(c.objectives.rpoSeconds)}.`,
    '',
    '| method | backup time | backup size | RTO (restore / replay / verify) | RPO | lost transactions | checks | recovered to | verdict |',
    '|---|---|---|---|---|---|---|---|---|',
    ...c.rows.map(
      (r) =>
        `| ${r.method} | ${s(r.backupSeconds)} | ${formatBytes(r.backupBytes)} | ${s(r.rtoSeconds)} (${s(r.restoreSeconds)} / ${s(r.replaySeconds)} / ${s(r.verifySeconds)}) | ` +
        `${r.rpoLowerBound ? '>= ' : ''}${s(r.rpoSeconds)} | ${r.lostTransactions ?? 'n/a'} | ${r.checksPassed}/${r.checksTotal} | ${r.target} | ${r.status.toUpperCase()} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

const hbs = Handlebars.create();
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
let compiled: Handlebars.TemplateDelegate | undefined;

export function renderComparison(c: Comparison, runDir: string): string {
  const maxRto = Math.max(c.objectives.rtoSeconds * 0.01, ...c.rows.map((r) => r.rtoSeconds ?? 0)) * 1.1 || 1;
  const pct = (v: number | null) => (((v ?? 0) / maxRto) * 100).toFixed(2);
  const view = {
    c,
    rows: c.rows.map((r) => ({
      ...r,
      backup: s(r.backupSeconds),
      size: formatBytes(r.backupBytes),
      rto: s(r.rtoSeconds),
      rpo: `${r.rpoLowerBound ? '≥ ' : ''}${s(r.rpoSeconds)}`,
      split: `${s(r.restoreSeconds)} / ${s(r.replaySeconds)} / ${s(r.verifySeconds)}`,
      restorePct: pct(r.restoreSeconds),
      replayPct: pct(r.replaySeconds),
      verifyPct: pct(r.verifySeconds),
      report: path.relative(runDir, path.join(path.dirname(r.result), 'report.html')).split(path.sep).join('/'),
    })),
    rtoObjective: formatSeconds(c.objectives.rtoSeconds),
    rpoObjective: formatSeconds(c.objectives.rpoSeconds),
  };
  compiled ??= templateFile(hbs, 'compare/templates/comparison.hbs');
  return compiled(view);
}
