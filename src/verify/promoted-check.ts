// The recovered instance left recovery: it accepts writes, as a failover target must.
import type { CheckResult } from '../model/check-result.js';
import type { VerifyContext } from './check.js';

export async function promotedCheck({ inRecovery, confirmation }: VerifyContext): Promise<CheckResult[]> {
  const promoted = inRecovery === false;
  return [
    {
      name: 'instance promoted',
      status: promoted ? 'passed' : 'failed',
      detail: promoted ? `pg_is_in_recovery() = false, timeline ${confirmation.timeline ?? '?'}` : 'the instance is still in recovery',
    },
  ];
}
