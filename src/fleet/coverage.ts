// Coverage of a fleet over the whole history of an output folder: for every drill expected (the drill files
// given) or seen, when it last passed; fresh when that is within the window (--within, or the drill's own
// objectives.validateEvery), stale when older, never when it has no passing run at all. A drill that silently stops running shows here, and in the metrics.
import { readHistory } from '../report/history.js';
import type { DrillResult } from '../model/result-schema.js';
import { shardOf, shardText, type Shard } from './shard.js';

export interface DrillCoverage {
  drill: string;
  lastSuccess: string | null;
  lastRun: string | null;
  lastStatus: string | null;
  /** The window it is judged by (--within, or its validateEvery); null: any pass counts. */
  windowSeconds: number | null;
  policy: string | null;
  /** The shard (i/N) it ran in this time, or the one that should have run it and reported nothing. */
  shard: string | null;
  /** missing: its shard reported nothing, so it did not run this time (judged as a failure). */
  state: 'fresh' | 'stale' | 'never' | 'missing';
}

export interface Coverage {
  withinSeconds: number | null;
  drills: DrillCoverage[];
  stale: string[];
  never: string[];
  missing: string[];
}

export function coverage(
  outDir: string,
  opts: { expected?: readonly string[] | undefined; withinMs?: number | undefined; now: Date; extra?: readonly DrillResult[]; ranIn?: ReadonlyMap<string, string>; missingShards?: readonly Shard[] },
): Coverage {
  const all = [...readHistory(outDir).entries.map((e) => e.result), ...(opts.extra ?? [])];
  const names = [...new Set([...(opts.expected ?? []), ...(opts.expected ? [] : all.map((r) => r.drill.name))])].sort();
  const drills = names.map((drill): DrillCoverage => {
    const runs = all.filter((r) => r.drill.name === drill).sort((a, b) => a.endedAt.localeCompare(b.endedAt));
    const lastSuccess = runs.filter((r) => r.status === 'passed').at(-1)?.endedAt ?? null;
    const last = runs.at(-1);
    // --within wins; otherwise the drill's own objectives.validateEvery (its policy's), from its newest result.
    const windowMs = opts.withinMs ?? (last?.objectives.validateEverySeconds !== undefined ? last.objectives.validateEverySeconds * 1000 : undefined);
    const fresh = lastSuccess !== null && (windowMs === undefined || opts.now.getTime() - Date.parse(lastSuccess) <= windowMs);
    const lost = opts.missingShards?.find((s) => shardOf(drill, s.of) === s.index);
    const shard = lost ? shardText(lost) : (opts.ranIn?.get(drill) ?? null);
    return { drill, lastSuccess, lastRun: last?.endedAt ?? null, lastStatus: last?.status ?? null, windowSeconds: windowMs === undefined ? null : windowMs / 1000, policy: last?.objectives.policy?.name ?? null, shard, state: lost ? 'missing' : lastSuccess === null ? 'never' : fresh ? 'fresh' : 'stale' };
  });
  return {
    withinSeconds: opts.withinMs === undefined ? null : opts.withinMs / 1000,
    drills,
    stale: drills.filter((d) => d.state === 'stale').map((d) => d.drill),
    never: drills.filter((d) => d.state === 'never').map((d) => d.drill),
    missing: drills.filter((d) => d.state === 'missing').map((d) => d.drill),
  };
}

/** Prometheus text for the fleet: when each drill last passed, and how many are stale (or never passed). */
export function coverageMetrics(c: Coverage): string {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return [
    '# HELP pgdrill_last_success_timestamp_seconds When the drill last passed (Unix time); absent when it never did.',
    '# TYPE pgdrill_last_success_timestamp_seconds gauge',
    ...c.drills.filter((d) => d.lastSuccess).map((d) => `pgdrill_last_success_timestamp_seconds{drill="${esc(d.drill)}"} ${Math.round(Date.parse(d.lastSuccess ?? '') / 1000)}`),
    '# HELP pgdrill_drills_stale Drills without a passing run within the window (never passed included).',
    '# TYPE pgdrill_drills_stale gauge',
    `pgdrill_drills_stale ${c.stale.length + c.never.length + c.missing.length}`,
    '',
  ].join('\n');
}
