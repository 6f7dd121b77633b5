// One verification's outcome, with a verdict and a sentence a reader understands. Every layer speaks it (backup
// methods, sources, incidents, checks, the judge), so this file imports nothing.

export type CheckStatus = 'passed' | 'failed';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** How long the check took, for checks that are passes of their own (integrity). */
  seconds?: number;
}
