// A drill's `verify` SQL check: the first column of the first row, as text, either equals `expect` or equals
// the value the same query returned on the primary just before the incident (`compare: pre-incident`).
import type { PostgresInstance } from '../providers/provider.js';
import { scalar } from './scalar.js';
import { CheckPlaceError, relationHint, type Where } from './where-checks-run.js';
import type { CheckResult } from '../model/check-result.js';
import type { VerifyContext } from './check.js';

export interface SqlCheckSpec extends Where {
  name?: string | undefined;
  sql: string;
  expect?: string | undefined;
  compare?: 'pre-incident' | undefined;
}

export async function sqlCheck(restored: PostgresInstance, spec: SqlCheckSpec, preIncident: string | null | undefined): Promise<CheckResult> {
  const name = spec.name ?? spec.sql;
  const wanted = spec.compare === 'pre-incident' ? preIncident : spec.expect;
  let got: string | null;
  try {
    got = await scalar(restored, spec.sql, spec);
  } catch (error) {
    const message = (error as Error).message;
    const here = spec.database ?? restored.defaultDatabase;
    const where = `${here}${spec.as ? ` as ${spec.as}` : ''}`;
    if (error instanceof CheckPlaceError) return { name, status: 'failed', detail: `could not run in ${where}: ${message}` };
    return { name, status: 'failed', detail: `query failed after recovery (in ${where}): ${message}${await relationHint(restored, message, here)}` };
  }
  if (wanted === undefined) {
    return { name, status: 'passed', detail: `query ran after recovery and returned ${JSON.stringify(got)}` };
  }
  const source = spec.compare === 'pre-incident' ? 'the pre-incident value' : 'expected';
  const same = matches(got, wanted);
  return {
    name,
    status: same ? 'passed' : 'failed',
    detail: same ? `returned ${JSON.stringify(got)} = ${source}` : `returned ${JSON.stringify(got)}, ${source} ${JSON.stringify(wanted)}`,
  };
}

/** The drill's own `verify` SQL entries, in order. */
export async function sqlChecks({ drill, restored, truth }: VerifyContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [i, c] of drill.verify.entries()) {
    if ('sql' in c) results.push(await sqlCheck(restored, c, truth?.compareValues.get(i)));
  }
  return results;
}

/** Whether a returned value is the one expected: the same text, or the same boolean however it is written. */
export function matches(got: string | null, wanted: string | null): boolean {
  const wantedBool = asBoolean(wanted);
  return got === wanted || (wantedBool !== undefined && asBoolean(got) === wantedBool);
}

/** Postgres prints booleans as t / f; a drill file writes true / false (or YAML's true). Anything else: undefined. */
function asBoolean(v: string | null | undefined): boolean | undefined {
  if (v === 't' || v === 'true') return true;
  if (v === 'f' || v === 'false') return false;
  return undefined;
}
