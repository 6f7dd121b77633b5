// `objectives.forecast: { size: 250GB, walPerHour: 20GB, backupEvery: 24h }`: the production database the drill
// stands for. From the restore and replay rates this drill measured, the report estimates the RTO at that size,
// with its assumptions written out: the whole backup restored at the measured rate, then the WAL of a full
// backup interval (the worst case, just before the next backup) replayed at the measured rate, the verification
// grown with the data it reads, plus this drill's own fixed time (start-up, promotion).
import { z } from 'zod';
import { duration } from './duration.js';

const UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };

/** "250GB", "1.5TiB", "800 MB" -> bytes; undefined when it is not a size. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)\s*$/i.exec(text);
  const unit = m?.[2]?.toUpperCase();
  return m && unit && UNITS[unit] !== undefined ? Number(m[1]) * UNITS[unit] : undefined;
}

const bytes = z.string({ error: 'a size such as 250GB or 1.5TiB' }).transform((text, ctx) => {
  const n = parseBytes(text);
  if (n === undefined || n <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a size; write a number and a unit: 800MB, 250GB, 1.5TiB` });
    return z.NEVER;
  }
  return n;
});

const interval = duration.refine((ms) => ms > 0, { error: 'must be more than 0, e.g. 24h' });

export const forecastSpec = z.strictObject({
  size: bytes,
  walPerHour: bytes.optional(),
  /** How long WAL accumulates between backups (default: objectives.maxBackupAge, else 24h). */
  backupEvery: interval.optional(),
});

export type ForecastSpec = z.output<typeof forecastSpec>;

export interface Forecast {
  rtoSeconds: number;
  restoreSeconds: number;
  replaySeconds: number;
  /** Verification at that size: its queries read the data, so its time grows with it. */
  verifySeconds: number;
  fixedSeconds: number;
  assumptions: string[];
}

const gb = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(b >= 1e10 ? 0 : 1)} GB` : `${(b / 1e6).toFixed(0)} MB`);

/** Null when this drill measured no restore rate (nothing to scale from). */
export function forecastRto(
  spec: ForecastSpec,
  measured: { rtoSeconds: number | null; restoreBytesPerSecond: number | null; restoreSeconds: number | null; replayBytesPerSecond: number | null; replaySeconds: number | null; verifySeconds?: number | null | undefined },
  backupEveryMs: number,
): Forecast | null {
  if (!measured.restoreBytesPerSecond || measured.rtoSeconds === null) return null;
  const restoreSeconds = spec.size / measured.restoreBytesPerSecond;
  const wal = spec.walPerHour !== undefined ? (spec.walPerHour * backupEveryMs) / 3_600_000 : 0;
  const replaySeconds = wal > 0 && measured.replayBytesPerSecond ? wal / measured.replayBytesPerSecond : 0;
  // What this drill restored: the data its verification read.
  const restoredBytes = measured.restoreBytesPerSecond * (measured.restoreSeconds ?? 0);
  const verifyHere = measured.verifySeconds ?? 0;
  const verifySeconds = verifyHere > 0 && restoredBytes > 0 ? (verifyHere * spec.size) / restoredBytes : verifyHere;
  const fixedSeconds = Math.max(0, measured.rtoSeconds - (measured.restoreSeconds ?? 0) - (measured.replaySeconds ?? 0) - verifyHere);
  const assumptions = [
    `${gb(spec.size)} restored at this drill's rate, ${(measured.restoreBytesPerSecond / 1e6).toFixed(0)} MB/s`,
    spec.walPerHour === undefined
      ? 'no WAL to replay (give walPerHour to include it)'
      : measured.replayBytesPerSecond
        ? `${gb(wal)} of WAL (${gb(spec.walPerHour)}/h over ${(backupEveryMs / 3_600_000).toFixed(0)}h, a whole backup interval: the worst case) replayed at this drill's rate, ${(measured.replayBytesPerSecond / 1e6).toFixed(0)} MB/s`
        : `${gb(wal)} of WAL, but this drill replayed none, so its replay time is not estimated`,
    ...(verifyHere > 0 && restoredBytes > 0 ? [`verification grows with the data it reads: ${verifyHere.toFixed(1)}s for this drill's ${gb(restoredBytes)}, ${verifySeconds.toFixed(0)}s for ${gb(spec.size)}`] : []),
    `${fixedSeconds.toFixed(1)}s of this drill's own start-up and promotion, unchanged`,
    'the same machine, disk and network as this drill; rates measured on data that fits in memory are faster than on data that does not',
  ];
  return { rtoSeconds: restoreSeconds + replaySeconds + verifySeconds + fixedSeconds, restoreSeconds, replaySeconds, verifySeconds, fixedSeconds, assumptions };
}
