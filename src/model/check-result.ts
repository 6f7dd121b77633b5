// One verification's outcome, with a verdict and a sentence a reader understands. Every layer speaks it (backup
// methods, sources, incidents, checks, the judge), so this file imports nothing.

/** unverified: the check could not be judged, for a reason outside the backup (never read as passed). */
export type CheckStatus = 'passed' | 'failed' | 'unverified';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** How long the check took, for checks that are passes of their own (integrity). */
  seconds?: number;
  /** A stable code for what the check is or found (README, "Finding codes"): alert on it, not on the wording. */
  code?: string;
}
