// reports/index.html: every run of an output folder, newest first, and per drill the trend of measured RTO and
// RPO against the objective. Rebuilt after each run or by `pgdrill report`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatSeconds } from '../model/format.js';
import { objectiveMet } from '../model/judge.js';
import { templateFile } from './template-file.js';
import { readHistory } from './history.js';
import { trendChart } from './trend-chart.js';
import { formatBytes } from './view-helpers.js';
import type { DrillResult } from '../model/result-schema.js';

const hbs = Handlebars.create();
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
let compiled: Handlebars.TemplateDelegate | undefined;

export function renderIndex(outDir: string): { html: string; runs: number; results: number; skipped: string[] } {
  const { entries, skipped } = readHistory(outDir);
  const runs = new Map<string, typeof entries>();
  // A run is a run folder: an aggregated fleet run holds results its shards wrote under their own run ids.
  const runOf = (e: (typeof entries)[number]) => e.folder.split(path.sep)[0] ?? e.result.runId;
  for (const e of entries) runs.set(runOf(e), [...(runs.get(runOf(e)) ?? []), e]);
  const drills = new Map<string, typeof entries>();
  for (const e of [...entries].reverse()) drills.set(e.result.drill.name, [...(drills.get(e.result.drill.name) ?? []), e]);

  const fmt = (v: number | null) => (v === null ? 'n/a' : formatSeconds(v));
  const view = {
    generatedAt: new Date().toISOString(),
    total: entries.length,
    passed: entries.filter((e) => e.result.status === 'passed').length,
    skipped,
    runs: [...runs.entries()].map(([runId, list]) => ({
      runId,
      startedAt: list[0]?.result.startedAt ?? '',
      status: list.every((e) => e.result.status === 'passed') ? 'passed' : list.some((e) => e.result.status === 'error') ? 'error' : list.some((e) => e.result.status === 'failed') ? 'failed' : 'unverified',
      drills: list.map((e) => ({
        name: e.result.drill.name,
        status: e.result.status,
        rto: fmt(e.result.measured.rtoSeconds),
        rpo: fmt(e.result.measured.rpoSeconds),
        rtoObjective: formatSeconds(e.result.objectives.rtoSeconds),
        rpoObjective: formatSeconds(e.result.objectives.rpoSeconds),
        report: `${e.folder.split(path.sep).join('/')}/report.html`,
      })),
    })),
    trends: [...drills.entries()].map(([name, list]) => {
      const latest = list.at(-1)?.result;
      // Overdue: no pass within the drill's validateEvery (its policy's), counted from now.
      const every = latest?.objectives.validateEverySeconds;
      const lastPass = [...list].reverse().find((e) => e.result.status === 'passed')?.result.endedAt;
      const overdue = every !== undefined && (!lastPass || Date.now() - Date.parse(lastPass) > every * 1000);
      return {
        name,
        runs: list.length,
        policy: latest?.objectives.policy?.name,
        owner: latest?.objectives.policy?.owner,
        overdue: overdue ? `overdue: ${lastPass ? `last passed ${lastPass.slice(0, 16).replace('T', ' ')}` : 'never passed'}, to be validated every ${formatSeconds(every ?? 0)}` : undefined,
        sizes: sizeTable(list.map((e) => e.result)),
        rtoChart: trendChart(
          'RTO measured',
          list.map((e) => ({ at: e.result.startedAt, value: e.result.measured.rtoSeconds, passed: objectiveMet(e.result, 'rto') })),
          latest?.objectives.rtoSeconds ?? 0,
        ),
        rpoChart: trendChart(
          'RPO measured',
          list.map((e) => ({ at: e.result.startedAt, value: e.result.measured.rpoSeconds, passed: objectiveMet(e.result, 'rpo') })),
          latest?.objectives.rpoSeconds ?? 0,
        ),
      };
    }),
  };
  compiled ??= templateFile(hbs, 'report/templates/index.hbs');
  return { html: compiled(view), runs: runs.size, results: entries.length, skipped };
}

/** How many runs (columns) and tables (rows) the size and row-count table of a drill shows. */
const SIZE_RUNS = 6;
const SIZE_TABLES = 10;

/**
 * A drill's backup size, restored size and row counts over its last runs (oldest first): the numbers the
 * sanity check compares, and the tables a DBA watches (the drill's own first, then the largest).
 */
function sizeTable(results: readonly DrillResult[]): { columns: string[]; rows: Array<{ label: string; values: string[] }> } | undefined {
  const recent = results.slice(-SIZE_RUNS);
  if (!recent.some((r) => r.integrity || r.backup || r.source)) return undefined;
  const rows = [
    { label: 'backup size', values: recent.map((r) => formatBytes(r.backup?.sizeBytes ?? r.source?.sizeBytes ?? null)) },
    { label: 'restored databases', values: recent.map((r) => formatBytes(r.integrity?.restoredBytes ?? null)) },
  ];
  for (const t of recent.at(-1)?.integrity?.rowCounts.slice(0, SIZE_TABLES) ?? []) {
    const count = (r: DrillResult) => r.integrity?.rowCounts.find((x) => x.database === t.database && x.table === t.table);
    rows.push({ label: `${t.database}: ${t.table} rows`, values: recent.map((r) => { const c = count(r); return c ? `${c.estimated ? '≈ ' : ''}${c.rows}` : '–'; }) });
  }
  return { columns: recent.map((r) => r.startedAt.slice(0, 16).replace('T', ' ')), rows };
}

/** Writes <out>/index.html; returns its path. */
export function writeIndex(outDir: string): string {
  const file = path.join(outDir, 'index.html');
  writeFileSync(file, renderIndex(outDir).html);
  return file;
}
