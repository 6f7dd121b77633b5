// Backup sanity against history: this run's backup size and restored size against the median of the same
// drill's earlier runs in the output folder. A backup that is suddenly a third of last week's (a purge nobody
// announced, a data folder encrypted before the backup ran, a backup of the wrong cluster) fails the drill
// with both numbers, even when the restore itself went well.
import type { SanitySpec } from '../drill/integrity-schema.js';
import type { DrillResult } from '../model/result-schema.js';
import type { CheckResult } from '../model/check-result.js';

export interface SizeSanity {
  section: NonNullable<DrillResult['sanity']>;
  checks: CheckResult[];
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** @param earlier the same drill's earlier results, newest first */
export function sizeSanity(earlier: readonly DrillResult[], now: { backupBytes: number | null; restoredBytes: number | null }, spec: SanitySpec): SizeSanity {
  const series = (pick: (r: DrillResult) => number | null | undefined) =>
    earlier
      .map(pick)
      .filter((v): v is number => typeof v === 'number' && v > 0)
      .slice(0, spec.history);
  const backupSeries = series((r) => r.backup?.sizeBytes ?? r.source?.sizeBytes);
  const restoredSeries = series((r) => r.integrity?.restoredBytes);
  const backupMedian = median(backupSeries);
  const restoredMedian = median(restoredSeries);
  const checks: CheckResult[] = [];
  const compare = (what: string, value: number | null, med: number | null, runs: number) => {
    if (value === null || med === null) return;
    const change = (value - med) / med;
    const ok = Math.abs(change) <= spec.sizeChange;
    const pct = `${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)}%`;
    checks.push({
      name: `sanity: ${what} size against earlier runs`,
      status: ok ? 'passed' : 'failed',
      detail:
        `${mib(value)} against a median of ${mib(med)} over the last ${runs} run(s): ${pct} (allowed ±${(spec.sizeChange * 100).toFixed(0)}%)` +
        (ok ? '' : `; find out why before trusting this backup (a purge, a different cluster, encrypted or emptied data), then raise sanity.sizeChange if the change was intended`),
    });
  };
  compare('backup', now.backupBytes, backupMedian, backupSeries.length);
  compare('restored database', now.restoredBytes, restoredMedian, restoredSeries.length);
  return {
    section: { history: spec.history, sizeChange: spec.sizeChange, backupBytes: now.backupBytes, backupMedian, restoredBytes: now.restoredBytes, restoredMedian },
    checks,
  };
}
