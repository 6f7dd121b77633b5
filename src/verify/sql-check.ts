// A drill's `verify` SQL check: the first column of the first row, as text, either equals `expect` or equals
// the value the same query returned on the primary just before the incident (`compare: pre-incident`).
import type { PostgresInstance } from '../providers/provider.js';
import { scalar } from './scalar.js';
import type { CheckResult } from '../model/check-result.js';
import type { VerifyContext } from './check.js';

export interface SqlCheckSpec {
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
    got = await scalar(restored, spec.sql);
  } catch (error) {
    return { name, status: 'failed', detail: `query failed after recovery: ${(error as Error).message}` };
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
