// Protected tables after recovery: each equals the fingerprint captured before the incident (fingerprint.ts), or,
// without one, reads end to end.
import type { PostgresInstance } from '../providers/provider.js';
import type { CheckResult } from '../model/check-result.js';
import { fingerprint, tableLabel, type Fingerprint } from './fingerprint.js';
import { tableReadable } from './table-readable.js';
import type { VerifyContext } from './check.js';

/** Compares a table on the restored instance with the fingerprint captured before the incident. */
export async function fingerprintCheck(restored: PostgresInstance, expected: Fingerprint): Promise<CheckResult> {
  const name = `table ${tableLabel(expected)} restored`;
  let actual: Fingerprint;
  try {
    actual = await fingerprint(restored, expected.table, expected.database);
  } catch (error) {
    return { name, status: 'failed', detail: `cannot read ${tableLabel(expected)} after recovery: ${(error as Error).message}` };
  }
  const same = actual.rows === expected.rows && actual.hash === expected.hash;
  return {
    name,
    status: same ? 'passed' : 'failed',
    detail: same
      ? `${actual.rows} rows, content hash ${actual.hash} equals the pre-incident fingerprint`
      : `pre-incident ${expected.rows} rows (hash ${expected.hash}), recovered ${actual.rows} rows (hash ${actual.hash})`,
  };
}

/**
 * Every protected table against its pre-incident fingerprint; a `table:` entry with none (a drill of an existing
 * backup has no pre-incident truth) must read end to end, and its row count is reported.
 */
export async function tablesCheck(v: VerifyContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  if (v.truth) {
    // The drill's `table:` entries are among the protected tables (truth.ts).
    for (const fp of v.truth.fingerprints) results.push(await fingerprintCheck(v.restored, fp));
    return results;
  }
  for (const entry of v.drill.verify) if ('table' in entry) results.push(await tableReadable(v.restored, entry));
  return results;
}
