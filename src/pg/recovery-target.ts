// Recovery targets: what the drill asks for, and the recovery_target_* settings that express it
// (https://www.postgresql.org/docs/15/runtime-config-wal.html#RUNTIME-CONFIG-WAL-RECOVERY-TARGET). How the server
// log proves a target was reached is verification's job (verify/confirm-target.ts).

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
