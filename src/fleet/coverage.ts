// Coverage of a fleet over the whole history of an output folder: for every drill expected (the drill files
// given) or seen, when it last passed; fresh when that is within the window (--within, or the drill's own
// objectives.validateEvery), stale when older, never when it has no passing run at all. A drill that silently stops running shows here, and in the metrics.
import { readHistory } from '../report/history.js';
import { exposition } from '../report/exposition.js';
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

/** Prometheus text for the fleet (pgdrill aggregate --metrics): when each drill last passed, its coverage state,
 * and how many are not covered. Named pgdrill_fleet_* so the file can sit next to a run's in one textfile folder. */
export function coverageMetrics(c: Coverage): string {
  const states = ['fresh', 'stale', 'never', 'missing'] as const;
  return exposition([
    { name: 'pgdrill_fleet_drill_last_success_timestamp_seconds', type: 'gauge', help: 'When the drill last passed in the fleet history (Unix time); absent when it never did.', samples: c.drills.map((d) => [{ drill: d.drill }, d.lastSuccess ? Math.round(Date.parse(d.lastSuccess) / 1000) : null]) },
    { name: 'pgdrill_fleet_drill_state', type: 'gauge', help: '1 for the coverage state of the drill (fresh, stale, never, missing), 0 for the others.', samples: c.drills.flatMap((d) => states.map((s) => [{ drill: d.drill, state: s }, d.state === s ? 1 : 0] as const)) },
    { name: 'pgdrill_fleet_drills_stale', type: 'gauge', help: 'Drills without a passing run within the window (never passed and missing shards included).', samples: [[{}, c.stale.length + c.never.length + c.missing.length]] },
  ]);
}
