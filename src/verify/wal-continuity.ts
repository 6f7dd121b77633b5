// Whether the archive holds every WAL segment recovery needs, and what a hole costs: which segment is missing,
// the last recoverable point, and that the RPO objective cannot be met with this archive.
import type { WalContinuity } from '../tools/backup-method.js';
import { formatSeconds } from '../model/format.js';
import type { CheckResult } from '../model/check-result.js';
import type { TargetConfirmation } from './confirm-target.js';
import type { VerifyOutcome } from './verify.js';

export function continuityCheck(c: WalContinuity, neededLsn: string): CheckResult {
  return {
    name: 'WAL archive continuous',
    status: c.continuous ? 'passed' : 'failed',
    detail: c.continuous
      ? `every segment from ${c.firstSegment} to ${c.lastSegment} (through ${neededLsn}) is archived`
      : `segment ${c.missingSegment} is missing: WAL is contiguous from ${c.firstSegment} only up to ${c.lastContiguousLsn}, recovery needs it through ${neededLsn}`,
  };
}

/** No recovery can get past the hole, so the recoverable point is frozen while the primary keeps committing. */
export function missingWalFinding(
  c: WalContinuity,
  seen: {
    confirmation?: TargetConfirmation | undefined;
    verify?: VerifyOutcome | undefined;
    backupEndTime?: string | undefined;
    rpoObjectiveSeconds: number;
    /** Where the segment was (a file, an object's s3:// key), when the drill deleted it itself. */
    deleted?: string | undefined;
  },
): string {
  const stop = seen.confirmation?.redoDoneLsn ?? c.lastContiguousLsn;
  const last = seen.verify?.lastReplayedCommit?.time ?? seen.confirmation?.lastCompletedTransactionTime;
  const point = last ? `last transaction committed at ${last}` : `the end of the base backup${seen.backupEndTime ? ` at ${seen.backupEndTime}` : ''}: no later transaction could be replayed`;
  const rpo = seen.verify?.rpo;
  const loss = rpo ? ` ${rpo.lostMarkers} marker(s) committed before the incident are lost (RPO ${rpo.rpoSeconds.toFixed(3)}s at the incident).` : '';
  return (
    `WAL segment ${c.missingSegment} is missing from the archive${seen.deleted ? ` (${seen.deleted})` : ''}: recovery can only reach ${stop} (${point}).${loss} ` +
    `The RPO objective of ${formatSeconds(seen.rpoObjectiveSeconds)} cannot be met with this archive: every commit after that point is lost, and the loss grows until a new base backup is taken.`
  );
}
