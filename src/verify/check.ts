// The check port: one verification, with a verdict and a sentence a reader understands.

export type CheckStatus = 'passed' | 'failed';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}
