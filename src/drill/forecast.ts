// `objectives.forecast: { size: 250GB, walPerHour: 20GB, backupEvery: 24h }`: the production database the drill
// stands for. From the restore and replay rates this drill measured, the report estimates the RTO at that size,
// with its assumptions written out: the whole backup restored at the rate its copy ran (the restore's set-up
// counted once), then the WAL of a full backup interval (the worst case, just before the next backup) replayed at
// the measured rate, the checks that read the tables grown with the data, plus this drill's own work that does not
// grow (start-up, promotion, the other checks). Splitting each phase's fixed part from its per-byte part is what
// keeps a forecast from a small drill honest: at 200 MB the set-up is half the restore.
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

/** What one drill measured, for the forecast: each phase's time and, where known, the part of it that grows with size. */
export interface ForecastInput {
  rtoSeconds: number | null;
  restoreBytesPerSecond: number | null;
  restoreSeconds: number | null;
  /** Of the restore phase, the copy itself (its longest command); the rest is the same at any size. */
  restoreCopySeconds?: number | undefined;
  replayBytesPerSecond: number | null;
  replaySeconds: number | null;
  verifySeconds?: number | null | undefined;
  /** Of the verify phase, the checks that read the tables; the rest (log, markers, catalogs) is the same at any size. */
  verifyDataSeconds?: number | undefined;
  /** The work folder's disk, written and flushed (disk-probe.ts), and the machine's memory: a copy larger than memory runs at the disk's rate. */
  diskWriteBytesPerSecond?: number | undefined;
  memoryBytes?: number | undefined;
}

/** A result's numbers (result.json's `measured`, its phases' seconds) as the forecast reads them: assemble-result.ts and the bench. */
export function forecastInputOf(
  m: { rtoSeconds: number | null; restoreFilesBytesPerSecond: number | null; walReplayBytesPerSecond: number | null; restoreCopySeconds?: number | undefined; verifyDataSeconds?: number | undefined; diskWriteBytesPerSecond?: number | undefined },
  phase: (name: string) => number | null,
  memoryBytes: number,
): ForecastInput {
  return {
    rtoSeconds: m.rtoSeconds,
    restoreBytesPerSecond: m.restoreFilesBytesPerSecond,
    restoreSeconds: phase('restore-files'),
    restoreCopySeconds: m.restoreCopySeconds,
    replayBytesPerSecond: m.walReplayBytesPerSecond,
    replaySeconds: phase('wal-replay'),
    verifySeconds: phase('verify'),
    verifyDataSeconds: m.verifyDataSeconds,
    diskWriteBytesPerSecond: m.diskWriteBytesPerSecond,
    memoryBytes,
  };
}

/** Null when this drill measured no restore rate (nothing to scale from). */
export function forecastRto(spec: ForecastSpec, measured: ForecastInput, backupEveryMs: number): Forecast | null {
  if (!measured.restoreBytesPerSecond || measured.rtoSeconds === null) return null;
  const restoreHere = measured.restoreSeconds ?? 0;
  // What this drill restored: the data its verification read.
  const restoredBytes = measured.restoreBytesPerSecond * restoreHere;
  const copyHere = measured.restoreCopySeconds !== undefined && measured.restoreCopySeconds > 0 && measured.restoreCopySeconds <= restoreHere ? measured.restoreCopySeconds : restoreHere;
  const copyRate = copyHere > 0 && restoredBytes > 0 ? restoredBytes / copyHere : measured.restoreBytesPerSecond;
  const disk = measured.diskWriteBytesPerSecond;
  // This drill's copy ran from memory (faster than the disk flushes); a backup larger than memory cannot.
  const diskBound = disk !== undefined && disk < copyRate && measured.memoryBytes !== undefined && spec.size > measured.memoryBytes;
  const restoreRate = diskBound ? disk : copyRate;
  const restoreSeconds = spec.size / restoreRate;
  const wal = spec.walPerHour !== undefined ? (spec.walPerHour * backupEveryMs) / 3_600_000 : 0;
  const replaySeconds = wal > 0 && measured.replayBytesPerSecond ? wal / measured.replayBytesPerSecond : 0;
  const verifyHere = measured.verifySeconds ?? 0;
  const dataHere = measured.verifyDataSeconds !== undefined ? Math.min(measured.verifyDataSeconds, verifyHere) : verifyHere;
  const verifySeconds = dataHere > 0 && restoredBytes > 0 ? (dataHere * spec.size) / restoredBytes : dataHere;
  // Everything that does not grow with size: start-up, promotion, the restore's and verification's own set-up.
  const fixedSeconds = Math.max(0, measured.rtoSeconds - copyHere - (measured.replaySeconds ?? 0) - dataHere);
  const mbs = (r: number) => `${(r / 1e6).toFixed(0)} MB/s`;
  const assumptions = [
    diskBound
      ? `${gb(spec.size)} restored at the disk's rate, ${mbs(disk)} (64 MiB written and flushed): more than this machine's ${gb(measured.memoryBytes ?? 0)} of memory, it cannot copy from the page cache as this drill did (${mbs(copyRate)})`
      : `${gb(spec.size)} restored at this drill's copy rate, ${mbs(copyRate)}${copyHere < restoreHere ? ` (the copy took ${copyHere.toFixed(2)}s of the ${restoreHere.toFixed(2)}s restore; the rest is set-up, counted once)` : ''}${disk !== undefined && disk < copyRate ? `, faster than the disk writes (${mbs(disk)}): it fits in this machine's memory` : ''}`,
    spec.walPerHour === undefined
      ? 'no WAL to replay (give walPerHour to include it)'
      : measured.replayBytesPerSecond
        ? `${gb(wal)} of WAL (${gb(spec.walPerHour)}/h over ${(backupEveryMs / 3_600_000).toFixed(0)}h, a whole backup interval: the worst case) replayed at this drill's rate, ${(measured.replayBytesPerSecond / 1e6).toFixed(0)} MB/s`
        : `${gb(wal)} of WAL, but this drill replayed none, so its replay time is not estimated`,
    ...(dataHere > 0 && restoredBytes > 0 ? [`the checks that read the tables grow with the data: ${dataHere.toFixed(2)}s for this drill's ${gb(restoredBytes)}, ${verifySeconds.toFixed(0)}s for ${gb(spec.size)}`] : []),
    `${fixedSeconds.toFixed(1)}s of this drill's own work that does not grow with size (start-up, promotion, set-up, the other checks), unchanged`,
    'the same machine, disk and network as this drill; rates measured on data that fits in memory are faster than on data that does not',
  ];
  return { rtoSeconds: restoreSeconds + replaySeconds + verifySeconds + fixedSeconds, restoreSeconds, replaySeconds, verifySeconds, fixedSeconds, assumptions };
}
