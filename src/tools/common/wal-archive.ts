// The run's WAL archive folder: an idempotent archive_command, the matching restore_command, and waiting for a
// segment to land (event-driven with a deadline, docs/postgres-facts.md #3).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError, TimeoutError } from '../../errors.js';
import type { PostgresInstance } from '../../providers/provider.js';
import { formatLsn, parseLsn } from '../../pg/lsn.js';
import type { ArchiveFlush, WalContinuity } from '../backup-method.js';

/**
 * Copies a segment into the archive through a temporary name, so a crash never leaves a half file; a segment
 * already archived with the same content succeeds (Postgres retries after failures), a different one fails.
 * https://www.postgresql.org/docs/15/continuous-archiving.html#BACKUP-ARCHIVING-WAL
 */
export function archiveCommand(archiveDir: string): string {
  const dest = `${archiveDir}/%f`;
  return `if [ -f '${dest}' ]; then cmp -s '%p' '${dest}'; else cp '%p' '${dest}.tmp' && mv '${dest}.tmp' '${dest}'; fi`;
}

/** Switches WAL and waits until the segment holding `lsn` is in the run's archive folder. */
export async function switchAndWaitArchived(
  primary: PostgresInstance,
  archiveDir: string,
  lsn: string,
  deadlineMs: number,
  signal: AbortSignal,
): Promise<ArchiveFlush> {
  try {
    return await waitForSegment(primary, lsn, () => archivedSegments(archiveDir), deadlineMs, signal);
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    // Say why: Postgres counts archive_command failures.
    const [stat] = await primary.query<{ last_failed_wal: string | null; failed_count: string }>('select last_failed_wal, failed_count::text from pg_stat_archiver');
    throw new TimeoutError(
      `${error.message.replace('the backup repository', `the archive ${archiveDir}`)} (archiver failures: ${stat?.failed_count ?? '?'}, last failed: ${stat?.last_failed_wal ?? 'none'})`,
      'check archive_command in the primary server log',
    );
  }
}

export function archivedSegments(archiveDir: string): string[] {
  return existsSync(archiveDir) ? readdirSync(archiveDir).filter((f) => /^[0-9A-F]{24}$/.test(f)).sort() : [];
}

/** The WAL segment size of every cluster pgdrill creates (initdb's default). */
export const WAL_SEGMENT_BYTES = 16n * 1024n * 1024n;

const SEGMENT = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;

/** Segment file name holding `lsn` on `timeline`, for a given wal_segment_size. */
export function segmentName(timeline: number, lsn: bigint, segSize: bigint): string {
  const segNo = lsn / segSize;
  const perLog = 0x100000000n / segSize;
  const hex = (n: bigint) => n.toString(16).toUpperCase().padStart(8, '0');
  return `${hex(BigInt(timeline))}${hex(segNo / perLog)}${hex(segNo % perLog)}`;
}

function segmentNumber(name: string, segSize: bigint): bigint {
  const m = SEGMENT.exec(name);
  if (!m) throw new Error(`not a WAL segment name: ${name}`);
  return BigInt(`0x${m[2]}`) * (0x100000000n / segSize) + BigInt(`0x${m[3]}`);
}

/** Walks the archive from the backup's first segment to the one holding `untilLsn`, naming the first hole. */
export function archiveContinuity(archiveDir: string, timeline: number, fromLsn: bigint, untilLsn: bigint, segSize: bigint): WalContinuity {
  return continuity(new Set(archivedSegments(archiveDir)), timeline, fromLsn, untilLsn, segSize);
}

/** The same walk over any set of segment names (a tool's repository lists them its own way). */
export function continuity(present: Set<string>, timeline: number, fromLsn: bigint, untilLsn: bigint, segSize: bigint): WalContinuity {
  const first = segmentName(timeline, fromLsn, segSize);
  const last = segmentName(timeline, untilLsn, segSize);
  for (let n = segmentNumber(first, segSize); n <= segmentNumber(last, segSize); n++) {
    const name = segmentName(timeline, n * segSize, segSize);
    if (!present.has(name)) {
      return { continuous: false, missingSegment: name, lastContiguousLsn: formatLsn(n * segSize), firstSegment: first, lastSegment: last };
    }
  }
  return { continuous: true, firstSegment: first, lastSegment: last };
}

/** A timeline's history file (`<tli>.history`): each ancestor timeline and the LSN where it was left. */
export function parseTimelineHistory(text: string): Array<{ timeline: number; endLsn: bigint }> {
  const out: Array<{ timeline: number; endLsn: bigint }> = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+([0-9A-F]+\/[0-9A-F]+)/i.exec(line);
    if (m) out.push({ timeline: Number(m[1]), endLsn: parseLsn(m[2] as string) });
  }
  return out;
}

/**
 * The walk across timeline switches, as recovery reads them: each segment from the backup's start to `untilLsn`
 * must be there on a timeline that covers some of it (the segment holding a switch point may come from the old
 * timeline or the new one: PostgreSQL tries the newest first), ancestors from the history file up to where each
 * ended, `timeline` from its switch point on.
 */
export function continuityAcross(present: Set<string>, timeline: number, history: Array<{ timeline: number; endLsn: bigint }>, fromLsn: bigint, untilLsn: bigint, segSize: bigint): WalContinuity {
  const spans: Array<{ timeline: number; from: bigint; until: bigint }> = [];
  let begin = 0n;
  for (const h of [...history].sort((x, y) => (x.endLsn < y.endLsn ? -1 : 1))) {
    spans.push({ timeline: h.timeline, from: begin, until: h.endLsn });
    begin = h.endLsn;
  }
  spans.push({ timeline, from: begin, until: untilLsn + segSize });
  const first = segmentName(spans.find((sp) => fromLsn < sp.until)?.timeline ?? timeline, fromLsn, segSize);
  const last = segmentName(timeline, untilLsn, segSize);
  for (let n = fromLsn / segSize; n <= untilLsn / segSize; n++) {
    const start = n * segSize;
    const candidates = spans.filter((sp) => sp.from < start + segSize && sp.until > start).map((sp) => segmentName(sp.timeline, start, segSize));
    if (!candidates.some((c) => present.has(c))) {
      return { continuous: false, missingSegment: candidates.at(-1) ?? segmentName(timeline, start, segSize), lastContiguousLsn: formatLsn(start), firstSegment: first, lastSegment: last };
    }
  }
  return { continuous: true, firstSegment: first, lastSegment: last };
}

/** Start LSN of the newest archived segment on a timeline (replay reaches at least this far). */
export function newestArchivedLsn(archiveDir: string, timeline: number, segSize: bigint): string | undefined {
  return newestSegmentLsn(archivedSegments(archiveDir), timeline, segSize);
}

/** Start LSN of a segment, from its file name (16 MB segments unless told). */
export function segmentStartLsn(name: string, segSize: bigint = WAL_SEGMENT_BYTES): string {
  return formatLsn(segmentNumber(name, segSize) * segSize);
}

export function newestSegmentLsn(segments: string[], timeline: number, segSize: bigint): string | undefined {
  const prefix = timeline.toString(16).toUpperCase().padStart(8, '0');
  const last = [...segments].sort().filter((s) => s.startsWith(prefix)).at(-1);
  return last ? formatLsn(segmentNumber(last, segSize) * segSize) : undefined;
}

/** Segment names found anywhere below a tool's repository folder (file names start with the segment name). */
export function segmentsBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /^[0-9A-F]{24}(?![0-9A-F.]*\.(partial|backup|history))/.test(e.name))
    .map((e) => e.name.slice(0, 24))
    .sort();
}

/** Polls until `present()` lists the segment holding `lsn` (pg_walfile_name semantics), with a deadline. */
export async function waitForSegment(
  primary: PostgresInstance,
  lsn: string,
  present: () => string[] | Promise<string[]>,
  deadlineMs: number,
  signal: AbortSignal,
  nudge?: () => Promise<void>,
  /** Between looks at the archive (a remote repository is listed by a command: not every 10 ms). */
  pollMs = nudge ? 100 : 10,
): Promise<ArchiveFlush> {
  const started = performance.now();
  const [row] = await primary.query<{ segment: string }>('select pg_walfile_name($1::pg_lsn) as segment from (select pg_switch_wal()) s', [lsn]);
  const segment = row?.segment ?? '';
  for (;;) {
    if (signal.aborted) throw new InterruptedError();
    await nudge?.();
    if ((await present()).includes(segment)) return { segment, seconds: (performance.now() - started) / 1000 };
    if (performance.now() - started > deadlineMs) {
      throw new TimeoutError(`WAL segment ${segment} did not reach the backup repository within ${deadlineMs / 1000}s`, 'check archive_command (or the WAL receiver) in the primary server log and the tool log');
    }
    await sleep(pollMs);
  }
}

/** The recovery settings a tool wrote into postgresql.auto.conf (pgBackRest, Barman), for the report. */
export function recoverySettingsIn(dataDir: string): Record<string, string> {
  const file = path.join(dataDir, 'postgresql.auto.conf');
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(restore_command|recovery_target\w*|archive_mode)\s*=\s*'?(.*?)'?\s*$/.exec(line);
    if (m?.[1]) out[m[1]] = (m[2] ?? '').replace(/''/g, "'");
  }
  return out;
}
