// The data loss a drill of an existing backup can know without markers: how old the newest transaction the
// recovery replayed was at the moment a loss is simulated, as far as the archive shows.
import { timeMicros } from '../pg/timestamps.js';

export interface Freshness {
  seconds: number;
  /** Commit time of the newest transaction the recovery replayed (or the backup's end when none was). */
  newestCommit: string;
  /** Where that time came from. */
  from: 'pg_last_committed_xact()' | 'server log: last completed transaction' | 'end of the backup';
  /** The moment the drill started (runner clock): the simulated loss. */
  lossAt: string;
}

export function measureFreshness(lossAt: Date, lastCommit: string | undefined, fromLog: string | undefined, backupEnd: string | undefined): Freshness | undefined {
  const [time, from] = lastCommit
    ? [lastCommit, 'pg_last_committed_xact()' as const]
    : fromLog
      ? [fromLog, 'server log: last completed transaction' as const]
      : [backupEnd, 'end of the backup' as const];
  const micros = time ? timeMicros(time) : undefined;
  if (!time || micros === undefined) return undefined;
  return { seconds: Math.max(0, (lossAt.getTime() * 1000 - micros) / 1e6), newestCommit: time, from, lossAt: lossAt.toISOString() };
}
