// Recovery stopped exactly where it was asked to, as the server log proves (confirm-target.ts).
import { describeTarget } from '../pg/recovery-target.js';
import type { CheckResult } from '../model/check-result.js';
import type { VerifyContext } from './check.js';

export async function targetReachedCheck({ target, confirmation }: VerifyContext): Promise<CheckResult[]> {
  return [
    {
      name: 'recovery target reached',
      status: confirmation.reached ? 'passed' : 'failed',
      detail: confirmation.reached
        ? `recovered to ${describeTarget(target)}; server log: ${confirmation.evidence[0] ?? ''}`
        : `recovery did not stop at ${describeTarget(target)}: ${confirmation.evidence.at(-1) ?? ''}`,
    },
  ];
}
