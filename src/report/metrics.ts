// Prometheus text exposition for node_exporter's textfile collector: the last run of each drill. Alert on
// pgdrill_last_run_timestamp_seconds getting old, so a drill that silently stops running is noticed.
import type { DrillResult } from '../model/result-schema.js';
import { writeFileAtomic } from './atomic-write.js';
import { objectiveMet } from '../model/judge.js';
import { FINDING_CODES } from '../model/finding-codes.js';

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function buildMetrics(results: DrillResult[]): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, samples: Array<[Record<string, string>, number | null]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) {
      if (value === null || !Number.isFinite(value)) continue;
      const l = Object.entries(labels).map(([k, v]) => `${k}="${label(v)}"`).join(',');
      lines.push(`${name}{${l}} ${value}`);
    }
  };
  const d = (r: DrillResult) => ({ drill: r.drill.name });
  gauge('pgdrill_rto_seconds', 'Measured recovery time: incident declared to recovered instance promoted and verified.', results.map((r) => [d(r), r.measured.rtoSeconds]));
  gauge('pgdrill_rpo_seconds', 'Measured data loss: commit time of the last pre-incident transaction minus the newest recovered one.', results.map((r) => [d(r), r.measured.rpoSeconds]));
  gauge('pgdrill_rto_objective_seconds', 'Documented recovery time objective.', results.map((r) => [d(r), r.objectives.rtoSeconds]));
  gauge('pgdrill_rpo_objective_seconds', 'Documented recovery point objective.', results.map((r) => [d(r), r.objectives.rpoSeconds]));
  gauge(
    'pgdrill_objective_met',
    '1 when the measured value is within the objective, 0 otherwise (also 0 when it could not be measured).',
    results.flatMap((r): Array<[Record<string, string>, number]> => [
      [{ ...d(r), objective: 'rto' }, objectiveMet(r, 'rto') ? 1 : 0],
      // An objective that does not apply to a drill (a recovery to a chosen past point) has no sample.
      ...(objectiveMet(r, 'rpo') === null ? [] : [[{ ...d(r), objective: 'rpo' }, objectiveMet(r, 'rpo') ? 1 : 0] as [Record<string, string>, number]]),
    ]),
  );
  gauge('pgdrill_drill_passed', '1 when the drill passed (objectives met, every check passed), 0 otherwise.', results.map((r) => [d(r), r.status === 'passed' ? 1 : 0]));
  gauge('pgdrill_drill_verified', '1 when the drill could be judged (passed or failed), 0 when it is unverified or could not run.', results.map((r) => [d(r), r.status === 'passed' || r.status === 'failed' ? 1 : 0]));
  // One series per code a check of the drill did not pass with: a bounded set (model/finding-codes.ts).
  gauge(
    'pgdrill_finding',
    '1 for each finding code of a check the drill did not pass (README: Finding codes).',
    results.flatMap((r) => [...new Set(r.checks.filter((c) => c.status !== 'passed').map((c) => (c.code && c.code in FINDING_CODES ? c.code : 'check-failed')))].map((code): [Record<string, string>, number] => [{ ...d(r), code }, 1])),
  );
  gauge('pgdrill_last_run_timestamp_seconds', 'When the drill last ran (Unix time).', results.map((r) => [d(r), Math.round(Date.parse(r.endedAt) / 1000)]));
  return `${lines.join('\n')}\n`;
}

export function writeMetrics(file: string, results: DrillResult[]): void {
  writeFileAtomic(file, buildMetrics(results));
}
