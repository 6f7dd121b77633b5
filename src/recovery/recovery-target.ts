// Recovery targets: what the drill asks for, the recovery_target_* settings that express it
// (https://www.postgresql.org/docs/15/runtime-config-wal.html#RUNTIME-CONFIG-WAL-RECOVERY-TARGET), and how the
// server log proves it was reached.
import { parseLsn } from './lsn.js';

export type RecoveryTarget =
  | { kind: 'xid'; xid: string; inclusive: boolean }
  | { kind: 'time'; time: string; inclusive: boolean }
  | { kind: 'lsn'; lsn: string; inclusive: boolean }
  | { kind: 'name'; name: string }
  | { kind: 'immediate' }
  | { kind: 'latest' };

export function describeTarget(t: RecoveryTarget): string {
  switch (t.kind) {
    case 'xid':
      return `${t.inclusive ? 'up to and including' : 'just before'} transaction ${t.xid}`;
    case 'time':
      return `${t.inclusive ? 'up to and including' : 'before'} commit time ${t.time}`;
    case 'lsn':
      return `${t.inclusive ? 'up to and including' : 'before'} WAL location ${t.lsn}`;
    case 'name':
      return `restore point "${t.name}"`;
    case 'immediate':
      return 'the end of the base backup (first consistent point)';
    case 'latest':
      return 'the end of the archived WAL';
  }
}

/** The recovery_target_* settings for a target; the promote action makes the instance writable at the target. */
export function targetSettings(t: RecoveryTarget, timeline: string | number = 'latest'): Record<string, string> {
  const common = { recovery_target_timeline: String(timeline) };
  const withAction = { ...common, recovery_target_action: 'promote' };
  switch (t.kind) {
    case 'xid':
      return { ...withAction, recovery_target_xid: t.xid, recovery_target_inclusive: t.inclusive ? 'on' : 'off' };
    case 'time':
      return { ...withAction, recovery_target_time: t.time, recovery_target_inclusive: t.inclusive ? 'on' : 'off' };
    case 'lsn':
      return { ...withAction, recovery_target_lsn: t.lsn, recovery_target_inclusive: t.inclusive ? 'on' : 'off' };
    case 'name':
      return { ...withAction, recovery_target_name: t.name };
    case 'immediate':
      return { ...withAction, recovery_target: 'immediate' };
    case 'latest':
      return common;
  }
}

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

/**
 * Reads the restored server's log and decides whether recovery stopped exactly at the target. For `latest`,
 * replay must also have reached `requiredLsn` (the end of what was archived): stopping early at a hole in the
 * archive promotes silently, and is not "latest".
 */
export function confirmTarget(t: RecoveryTarget, log: string, requiredLsn?: string): TargetConfirmation {
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
      expected = new RegExp(`recovery stopping ${t.inclusive ? 'after' : 'before'} (commit|abort) of transaction ${t.xid}\\b`);
      break;
    case 'time':
      expected = /recovery stopping (before|after) (commit|abort) of transaction \d+, time /;
      break;
    case 'lsn':
      expected = new RegExp(`recovery stopping ${t.inclusive ? 'after' : 'before'} WAL location \\(LSN\\) "${t.lsn}"`, 'i');
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
        evidence: [...evidence, `replay stopped at ${base.redoDoneLsn}, before ${requiredLsn}, the end of the archived WAL`],
      };
    }
    return { ...base, reached: true };
  }
  if (stopping && expected.test(stopping)) return { ...base, reached: true };
  return {
    ...base,
    evidence: [...evidence, `expected a log line matching ${expected.source}; recovery ended elsewhere`],
  };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
