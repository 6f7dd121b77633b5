// report.html: one self-contained page (inline CSS and SVG, no external URL) that someone who was not there
// can read: verdict, objectives vs measured, phase timeline, recovery target and its proof, checks, data
// loss, environment, commands (redacted) and logs. Handlebars escapes every user-provided value.
import { writeFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { formatSeconds } from '../model/format.js';
import type { DrillResult } from '../model/result-schema.js';
import { formatBytes, gantt, objectiveBar } from './view-helpers.js';
import { objectiveMet } from '../model/judge.js';
import { templateFile } from './template-file.js';

const hbs = Handlebars.create();
hbs.registerHelper('dur', (v: unknown) => (typeof v === 'number' ? formatSeconds(v) : 'n/a'));
hbs.registerHelper('bytes', (v: unknown) => formatBytes(typeof v === 'number' ? v : null));
hbs.registerHelper('fixed', (v: unknown, digits: unknown) => (typeof v === 'number' ? v.toFixed(Number(digits)) : 'n/a'));
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('json', (v: unknown) => JSON.stringify(v, null, 2));

let compiled: Handlebars.TemplateDelegate | undefined;
function template(): Handlebars.TemplateDelegate {
  compiled ??= templateFile(hbs, 'report/templates/report.hbs');
  return compiled;
}

export function renderReport(result: DrillResult): string {
  const m = result.measured;
  const view = {
    r: result,
    statusClass: result.status,
    bars: [
      objectiveBar('RTO', m.rtoSeconds, result.objectives.rtoSeconds, objectiveMet(result, 'rto')),
      objectiveBar('RPO', m.rpoSeconds, result.objectives.rpoSeconds, objectiveMet(result, 'rpo'), m.rpoLowerBound),
    ],
    rtoPhases: result.phases.filter((p) => p.inRto).map((p) => ({ name: p.name, seconds: formatSeconds(p.seconds), pct: m.rtoSeconds ? (p.seconds / m.rtoSeconds) * 100 : 0 })),
    gantt: gantt(result.phases),
    checksPassed: result.checks.filter((c) => c.status === 'passed').length,
    checksTotal: result.checks.length,
    settings: Object.entries(result.environment.settings).map(([k, v]) => ({ k, v })),
    recoverySettings: Object.entries(result.recovery.settings).map(([k, v]) => ({ k, v })),
    toolVersions: Object.entries(result.environment.toolVersions).map(([k, v]) => ({ k, v })),
    incidentDetails: Object.entries(result.incident?.details ?? {}).map(([k, v]) => ({ k, v })),
    walRate: m.walReplayBytesPerSecond ? `${formatBytes(m.walReplayBytesPerSecond)}/s` : 'n/a',
    // The forecast's size as the drill file writes sizes (decimal GB), not in binary units.
    forecastSize: result.forecast ? `${Number((result.forecast.sizeBytes / 1e9).toFixed(1))} GB` : undefined,
    readRate: result.integrity?.readBytesPerSecond ? `${formatBytes(result.integrity.readBytesPerSecond)}/s` : undefined,
    integrityMore: result.integrity ? result.integrity.findingsTotal - result.integrity.findings.length : 0,
    integrityEstimated: result.integrity?.rowCounts.some((r) => r.estimated) ?? false,
    restoreRate: `${m.restoreFilesBytesPerSecond ? `${formatBytes(m.restoreFilesBytesPerSecond)}/s` : 'n/a'}${m.restoreProcesses !== undefined ? `, ${m.restoreProcesses} process${m.restoreProcesses === 1 ? '' : 'es'} (process-max)` : ''}${m.diskWriteBytesPerSecond ? `; the disk writes ${formatBytes(m.diskWriteBytesPerSecond)}/s (64 MiB written and flushed)${m.restoreFilesBytesPerSecond && m.restoreFilesBytesPerSecond > m.diskWriteBytesPerSecond ? ': the restore was faster, from memory' : ''}` : ''}`,
    generatedAt: new Date().toISOString(),
  };
  return template()(view);
}

export function writeReport(file: string, result: DrillResult): void {
  writeFileSync(file, renderReport(result));
}
