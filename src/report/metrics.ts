// pgdrill's Prometheus metrics, the batch-job way (https://prometheus.io/docs/practices/instrumentation/#batch-jobs):
// for each drill of the run its verdict, RTO and RPO against the objectives, finding codes, phase durations and
// throughput, when it last ran, and when it last *passed* (from the output folder's history: the value moves only
// when a run passes, and is absent for a drill that never did), so an alert fires on staleness, not on a missing
// file. Names follow Prometheus conventions: base units (seconds, bytes), `_total` for counters, `_info` for
// metadata. Every label is bounded: drill names are the user's files, codes and phases are pgdrill's own sets.
import type { DrillResult } from '../model/result-schema.js';
import { objectiveMet } from '../model/judge.js';
import { FINDING_CODES } from '../model/finding-codes.js';
import { PGDRILL_VERSION } from '../version.js';
import { readHistory } from './history.js';
import { writeFileAtomic } from './atomic-write.js';
import { exposition, type Family, type Labels, type Sample } from './exposition.js';

const STATUSES = ['passed', 'failed', 'unverified', 'error'] as const;
/** Phases with a series of their own; afterRestore steps (after-restore-N) are summed as after-restore. */
const PHASES = ['restore-files', 'wal-replay', 'logical-restore', 'after-restore', 'verify', 'integrity'] as const;

const seconds = (iso: string) => Math.round(Date.parse(iso) / 1000);

function phaseSeconds(r: DrillResult): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of r.phases) {
    const name = p.name.startsWith('after-restore-') ? 'after-restore' : p.name;
    if ((PHASES as readonly string[]).includes(name)) out.set(name, (out.get(name) ?? 0) + p.seconds);
  }
  return out;
}

/** Every run of each drill the output folder holds, this run's included (once). */
function historyOf(outDir: string | undefined, results: readonly DrillResult[]): Map<string, DrillResult[]> {
  const all = new Map<string, DrillResult>();
  for (const e of outDir ? readHistory(outDir).entries : []) all.set(`${e.result.runId}/${e.result.drill.name}`, e.result);
  for (const r of results) all.set(`${r.runId}/${r.drill.name}`, r);
  const byDrill = new Map<string, DrillResult[]>();
  for (const r of all.values()) byDrill.set(r.drill.name, [...(byDrill.get(r.drill.name) ?? []), r]);
  return byDrill;
}

export function buildMetrics(results: readonly DrillResult[], opts: { outDir?: string | undefined } = {}): string {
  const history = historyOf(opts.outDir, results);
  const d = (r: DrillResult): Labels => ({ drill: r.drill.name });
  const per = (f: (r: DrillResult) => number | null | undefined): Sample[] => results.map((r) => [d(r), f(r)]);
  const lastSuccess = (r: DrillResult) => {
    const passed = (history.get(r.drill.name) ?? []).filter((h) => h.status === 'passed').map((h) => seconds(h.endedAt));
    return passed.length ? Math.max(...passed) : null;
  };
  const families: Family[] = [
    { name: 'pgdrill_build_info', type: 'gauge', help: 'The pgdrill that wrote these metrics (always 1).', samples: [[{ version: PGDRILL_VERSION, node_version: process.versions.node }, 1]] },
    {
      name: 'pgdrill_drill_info',
      type: 'gauge',
      help: 'What the drill ran (always 1): its backup method, where Postgres ran, the server version, the policy of its objectives.',
      samples: results.map((r) => [{ ...d(r), backup_method: r.environment.backupMethod, provider: r.environment.provider, postgres_version: r.environment.postgresVersion, source: r.source?.kind ?? 'self-contained', policy: r.objectives.policy?.name ?? '' }, 1]),
    },
    { name: 'pgdrill_drill_last_run_timestamp_seconds', type: 'gauge', help: 'When the drill last ended, whatever its verdict (Unix time).', samples: per((r) => seconds(r.endedAt)) },
    { name: 'pgdrill_drill_last_success_timestamp_seconds', type: 'gauge', help: 'When the drill last passed (Unix time), from the output folder history; absent when it never passed. Alert on its age.', samples: per(lastSuccess) },
    {
      name: 'pgdrill_drill_verdict',
      type: 'gauge',
      help: '1 for the verdict of the drill\'s last run, 0 for the others (passed, failed, unverified, error).',
      samples: results.flatMap((r) => STATUSES.map((s): Sample => [{ ...d(r), verdict: s }, r.status === s ? 1 : 0])),
    },
    { name: 'pgdrill_drill_passed', type: 'gauge', help: '1 when the drill passed (objectives met, every check passed), 0 otherwise.', samples: per((r) => (r.status === 'passed' ? 1 : 0)) },
    { name: 'pgdrill_drill_verified', type: 'gauge', help: '1 when the drill could be judged (passed or failed), 0 when it is unverified or could not run.', samples: per((r) => (r.status === 'passed' || r.status === 'failed' ? 1 : 0)) },
    { name: 'pgdrill_drill_exit_code', type: 'gauge', help: 'The exit code of the drill alone (README: Exit codes).', samples: per((r) => r.exitCode) },
    { name: 'pgdrill_drill_rto_seconds', type: 'gauge', help: 'Measured recovery time: incident declared to recovered instance promoted and verified.', samples: per((r) => r.measured.rtoSeconds) },
    { name: 'pgdrill_drill_rpo_seconds', type: 'gauge', help: 'Measured data loss: commit time of the last pre-incident transaction minus the newest recovered one.', samples: per((r) => r.measured.rpoSeconds) },
    { name: 'pgdrill_drill_rto_objective_seconds', type: 'gauge', help: 'The recovery time objective of the drill.', samples: per((r) => r.objectives.rtoSeconds) },
    { name: 'pgdrill_drill_rpo_objective_seconds', type: 'gauge', help: 'The recovery point objective of the drill.', samples: per((r) => r.objectives.rpoSeconds) },
    { name: 'pgdrill_drill_validate_every_seconds', type: 'gauge', help: 'The drill must pass at least this often (objectives.validateEvery); absent when not set.', samples: per((r) => r.objectives.validateEverySeconds) },
    {
      name: 'pgdrill_drill_objective_met',
      type: 'gauge',
      help: '1 when the objective was met (measured within it and the recovery verified), 0 otherwise; no rpo series when the RPO does not apply.',
      samples: results.flatMap((r): Sample[] => [
        [{ ...d(r), objective: 'rto' }, objectiveMet(r, 'rto') ? 1 : 0],
        [{ ...d(r), objective: 'rpo' }, objectiveMet(r, 'rpo') === null ? null : objectiveMet(r, 'rpo') ? 1 : 0],
      ]),
    },
    {
      name: 'pgdrill_drill_finding',
      type: 'gauge',
      help: '1 for each finding code of a check the drill did not pass (README: Finding codes).',
      samples: results.flatMap((r) => [...new Set(r.checks.filter((c) => c.status !== 'passed').map((c) => (c.code && c.code in FINDING_CODES ? c.code : 'check-failed')))].map((code): Sample => [{ ...d(r), code }, 1])),
    },
    {
      name: 'pgdrill_drill_phase_duration_seconds',
      type: 'gauge',
      help: `Seconds of each recovery phase of the last run (${PHASES.join(', ')}).`,
      samples: results.flatMap((r) => [...phaseSeconds(r)].map(([phase, s]): Sample => [{ ...d(r), phase }, Number(s.toFixed(3))])),
    },
    { name: 'pgdrill_drill_restore_bytes_per_second', type: 'gauge', help: 'Throughput of restoring the backup\'s files.', samples: per((r) => r.measured.restoreFilesBytesPerSecond) },
    { name: 'pgdrill_drill_wal_replay_bytes', type: 'gauge', help: 'WAL replayed by the recovery.', samples: per((r) => r.measured.walReplayBytes) },
    { name: 'pgdrill_drill_wal_replay_bytes_per_second', type: 'gauge', help: 'Throughput of WAL replay.', samples: per((r) => r.measured.walReplayBytesPerSecond) },
    {
      name: 'pgdrill_drill_runs_total',
      type: 'counter',
      help: 'Runs of the drill the output folder holds, by verdict.',
      samples: results.flatMap((r) => STATUSES.map((s): Sample => [{ ...d(r), verdict: s }, (history.get(r.drill.name) ?? []).filter((h) => h.status === s).length])),
    },
  ];
  return exposition(families);
}

/** For node_exporter's textfile collector: written to a temporary file and renamed, never seen half-written. */
export function writeMetrics(file: string, results: readonly DrillResult[], outDir?: string): void {
  writeFileAtomic(file, buildMetrics(results, { outDir }));
}
