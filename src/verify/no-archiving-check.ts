// The recovered instance cannot write into the source archive or repository (docs/postgres-facts.md #7).
import type { CheckResult } from '../model/check-result.js';
import type { VerifyContext } from './check.js';

export async function noArchivingCheck({ restored }: VerifyContext): Promise<CheckResult[]> {
  const [archiving] = await restored.query<{ mode: string }>(`select current_setting('archive_mode') as mode`);
  const off = archiving?.mode === 'off';
  return [
    {
      name: 'restored instance does not archive',
      status: off ? 'passed' : 'failed',
      detail: off
        ? 'archive_mode = off: the restored instance cannot write into the source archive or repository'
        : `archive_mode = ${archiving?.mode}: the restored instance could push its new timeline into the source archive`,
    },
  ];
}
