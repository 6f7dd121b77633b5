// How the server log proves where recovery stopped: the line for each target kind, promotion, where replay
// ended, and, for `latest`, that it read the archived WAL to its end.
// https://www.postgresql.org/docs/15/runtime-config-wal.html#RUNTIME-CONFIG-WAL-RECOVERY-TARGET
import { formatLsn, parseLsn } from '../pg/lsn.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';

export interface TargetConfirmation {
  reached: boolean;
  /** The server log lines that prove it (or the reason it is not proven). */
  evidence: string[];
  /** Timeline the instance was promoted on, from "selected new timeline ID". */
  timeline?: number;
  /** Where replay stopped, from "redo done at". */
  redoDoneLsn?: string;
  /** "last completed transaction was at log time ..." */
  lastCompletedTransactionTime?: string;
}

/** Where the archive ends, for a `latest` recovery: the start of its newest segment, and the segment size. */
export interface ArchiveEnd {
  newestSegmentLsn: string;
  segmentBytes: bigint;
  /**
   * The restore_command serves the streamed, unfinished segment too (Barman's get-wal --partial): zeros inside
   * the newest segment are its normal end. Without it, every segment served is whole, and zeros inside one are damage.
   */
  partialTail?: boolean | undefined;
}

/**
 * Reads the restored server's log and decides whether recovery stopped exactly at the target. For `latest`,
 * replay must also have reached the newest archived segment and read it to its end: stopping early at a hole
 * in the archive, or at damaged WAL inside an archived segment, promotes silently and is not "latest".
 */
export function confirmTarget(t: RecoveryTarget, log: string, archiveEnd?: ArchiveEnd): TargetConfirmation {
  const requiredLsn = archiveEnd?.newestSegmentLsn;
  const lines = log.split('\n');
  const find = (re: RegExp) => lines.find((l) => re.test(l));
  const stopping = find(/recovery stopping /);
  const complete = find(/archive recovery complete/);
  const timelineLine = find(/selected new timeline ID: \d+/);
  const redo = find(/redo done at [0-9A-F]+\/[0-9A-F]+/);
  const lastTx = find(/last completed transaction was at log time /);
  const evidence = [stopping, redo, lastTx, timelineLine, complete].filter((l): l is string => Boolean(l));
  const base: TargetConfirmation = { reached: false, evidence };
  if (timelineLine) base.timeline = Number(/selected new timeline ID: (\d+)/.exec(timelineLine)?.[1]);
  if (redo) base.redoDoneLsn = /redo done at ([0-9A-F]+\/[0-9A-F]+)/.exec(redo)?.[1] ?? '';
  if (lastTx) base.lastCompletedTransactionTime = lastTx.replace(/^.*last completed transaction was at log time /, '').trim();

  let expected: RegExp | undefined;
  switch (t.kind) {
    case 'xid':
      // The server logs the 32-bit xid: a target given with its epoch (pg_current_xact_id(), 4294968022) is 726.
      expected = new RegExp(`recovery stopping ${t.inclusive ? 'after' : 'before'} (commit|abort) of transaction ${xid32(t.xid)}\\b`);
      break;
    case 'time':
      expected = /recovery stopping (before|after) (commit|abort) of transaction \d+, time /;
      break;
    case 'lsn':
      // The log names the first record at or past the target, not the target itself.
      expected = new RegExp(`recovery stopping ${t.inclusive ? 'after' : 'before'} WAL location \\(LSN\\) "([0-9A-F]+/[0-9A-F]+)"`, 'i');
      break;
    case 'name':
      expected = new RegExp(`recovery stopping at restore point "${escapeRe(t.name)}"`);
      break;
    case 'immediate':
      expected = /recovery stopping after reaching consistency/;
      break;
    case 'latest':
      expected = undefined;
  }
  if (!complete) {
    // A base backup restored without an archive: crash recovery from backup_label to the backup's end.
    const crashRecovered = find(/completed backup recovery with redo LSN/);
    if (t.kind === 'immediate' && crashRecovered && redo && !find(/starting (point-in-time|archive) recovery/)) {
      return { ...base, reached: true, evidence: [crashRecovered, ...evidence] };
    }
    return { ...base, evidence: [...evidence, 'no "archive recovery complete" line: recovery did not finish'] };
  }
  if (!expected) {
    if (requiredLsn && base.redoDoneLsn && parseLsn(base.redoDoneLsn) < parseLsn(requiredLsn)) {
      return {
        ...base,
        evidence: [...evidence, `replay stopped at ${base.redoDoneLsn}, before ${requiredLsn}, the start of the newest archived segment`],
      };
    }
    const damage = archiveEnd ? damagedArchivedWal(lines, archiveEnd) : undefined;
    if (damage) return { ...base, evidence: [...evidence, damage] };
    return { ...base, reached: true };
  }
  if (t.kind === 'lsn') {
    const at = stopping ? expected.exec(stopping)?.[1] : undefined;
    if (at && parseLsn(at) >= parseLsn(t.lsn)) return { ...base, reached: true };
    return { ...base, evidence: [...evidence, at ? `recovery stopped at ${at}, before the target ${t.lsn}` : `expected a log line "recovery stopping ${t.inclusive ? 'after' : 'before'} WAL location (LSN) ..."; recovery ended elsewhere`] };
  }
  if (stopping && expected.test(stopping)) return { ...base, reached: true };
  return {
    ...base,
    evidence: [...evidence, `expected a log line matching ${expected.source}; recovery ended elsewhere`],
  };
}

/**
 * The reader's complaints about WAL it could not read or decode (PostgreSQL 15, src/backend/access/transam/
 * xlogreader.c and xlogrecovery.c): a healthy archive recovery logs none of them inside the archived WAL.
 */
const UNREADABLE = new RegExp(
  [
    'invalid record offset',
    'contrecord is requested',
    'invalid record length',
    'record length \\d+ at',
    'record with invalid length',
    'there is no contrecord flag',
    'invalid contrecord length',
    'missing contrecord',
    'invalid resource manager ID',
    'record with incorrect prev-link',
    'incorrect resource manager data checksum',
    'invalid magic number',
    'invalid info bits',
    'unexpected pageaddr',
    'out-of-sequence timeline ID',
    'WAL file is from different database system',
    'could not read from log segment',
    'out-of-order block_id',
    'invalid block_id',
    'BKPBLOCK_HAS_DATA',
    'BKPIMAGE_HAS_HOLE',
    'BKPIMAGE_COMPRESSED',
    'could not locate backup block',
    'invalid compressed image',
    'could not restore image',
  ].join('|'),
);

/** The 32-bit xid the server logs, of an xid given with or without its epoch. */
export function xid32(xid: string): string {
  return /^\d+$/.test(xid) ? String(BigInt(xid) % 2n ** 32n) : xid;
}

/**
 * A complaint about unreadable WAL at a position inside the archived WAL means replay ended early: the segment
 * is truncated or damaged, and everything after that point was silently dropped. Zeros ("got 0") in the newest
 * segment are the normal end only when the restore_command serves an unfinished segment (partialTail); a
 * complaint that names no position (a segment of another cluster) is damage wherever it is.
 */
function damagedArchivedWal(lines: string[], end: ArchiveEnd): string | undefined {
  const newest = parseLsn(end.newestSegmentLsn);
  const archiveEnd = newest + end.segmentBytes;
  for (const line of lines) {
    const m = UNREADABLE.exec(line);
    if (!m) continue;
    const pos = walPosition(line, end.segmentBytes);
    if (pos === undefined) return `replay read WAL it could not use: ${line.replace(/^.*?(LOG|WARNING|FATAL):\s*/, '')}; the WAL after it in the archive was not replayed`;
    if (pos >= archiveEnd) continue;
    if (end.partialTail && /wanted \d+, got 0\b/.test(line) && pos >= newest) continue;
    const segStart = pos - (pos % end.segmentBytes);
    const message = line.replace(/^.*?(LOG|WARNING):\s*/, '');
    return `replay stopped inside the archived WAL, at ${formatLsn(pos)} (offset ${pos - segStart} of the segment starting at ${formatLsn(segStart)}): ${message}; the WAL after it in the archive could not be read`;
  }
  return undefined;
}

/** The position a complaint names: "... at 0/5000148" (the last LSN in the line) or "in log segment S, offset N". */
function walPosition(line: string, segmentBytes: bigint): bigint | undefined {
  const seg = /in log segment ([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8}), offset (\d+)/.exec(line);
  if (seg) {
    const perLog = 0x100000000n / segmentBytes;
    return (BigInt(`0x${seg[2]}`) * perLog + BigInt(`0x${seg[3]}`)) * segmentBytes + BigInt(seg[4] ?? '0');
  }
  const lsns = [...line.matchAll(/ at ([0-9A-F]+\/[0-9A-F]+)/g)];
  const last = lsns.at(-1)?.[1];
  return last ? parseLsn(last) : undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
