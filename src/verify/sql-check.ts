// A drill's `verify` SQL check: the first column of the first row, as text, against `expect` (a value, no row at
// all, a range, a pattern) or the value the same query returned on the primary just before the incident
// (`compare: pre-incident`).
import type { PostgresInstance } from '../providers/provider.js';
import type { Expectation } from '../drill/schema-parts.js';
import { answer } from './scalar.js';
import { CheckPlaceError, relationHint, type Where } from './where-checks-run.js';
import type { CheckResult } from '../model/check-result.js';
import type { VerifyContext } from './check.js';

export interface SqlCheckSpec extends Where {
  name?: string | undefined;
  sql: string;
  expect?: Expectation | undefined;
  compare?: 'pre-incident' | 'source' | undefined;
}

export async function sqlCheck(restored: PostgresInstance, spec: SqlCheckSpec, preIncident: string | null | undefined, sourceAnswer?: VerifyContext['sourceAnswer']): Promise<CheckResult> {
  const name = spec.name ?? spec.sql;
  const wanted = spec.expect;
  let got: { rows: number; value: string | null };
  try {
    got = await answer(restored, spec.sql, spec);
  } catch (error) {
    const message = (error as Error).message;
    const here = spec.database ?? restored.defaultDatabase;
    const where = `${here}${spec.as ? ` as ${spec.as}` : ''}`;
    if (error instanceof CheckPlaceError) return { name, status: 'failed', code: 'check-place', detail: `could not run in ${where}: ${message}` };
    const hint = await relationHint(restored, message, here);
    return { name, status: 'failed', code: hint ? 'relation-elsewhere' : 'sql-failed', detail: `query failed after recovery (in ${where}): ${message}${hint}` };
  }
  const shown = JSON.stringify(got.value);
  if (spec.compare === 'source') {
    if (!sourceAnswer) return { name, status: 'unverified', code: 'source-unreachable', detail: 'compare: source needs the live source, which this drill could not reach' };
    let there: string | null;
    try {
      there = await sourceAnswer(spec.sql, spec.database);
    } catch (error) {
      return { name, status: 'unverified', code: 'source-unreachable', detail: `the live source could not answer (${(error as Error).message}): nothing to compare with` };
    }
    const same = matches(got.value, there);
    return { name, status: same ? 'passed' : 'failed', code: same ? 'sql' : 'source-mismatch', detail: same ? `returned ${shown}, as the live source does` : `returned ${shown}, the live source ${JSON.stringify(there)}` };
  }
  if (spec.compare === 'pre-incident') {
    const same = matches(got.value, preIncident ?? null);
    return { name, status: same ? 'passed' : 'failed', code: same ? 'sql' : 'sql-mismatch', detail: same ? `returned ${shown} = the pre-incident value` : `returned ${shown}, the pre-incident value ${JSON.stringify(preIncident ?? null)}` };
  }
  if (wanted === undefined) return { name, status: 'passed', code: 'sql', detail: `query ran after recovery and returned ${shown}` };
  const source = 'expected';
  const verdict = judgeAnswer(got, wanted);
  return { name, status: verdict.ok ? 'passed' : 'failed', code: verdict.ok ? 'sql' : 'sql-mismatch', detail: verdict.ok ? `returned ${verdict.said} (${source}: ${describe(wanted)})` : `returned ${verdict.said}, ${source} ${describe(wanted)}` };
}

function describe(e: Expectation): string {
  if (typeof e === 'string') return JSON.stringify(e);
  if ('empty' in e) return 'no row';
  const parts = [e.equals !== undefined ? `= ${JSON.stringify(e.equals)}` : '', e.min !== undefined ? `>= ${e.min}` : '', e.max !== undefined ? `<= ${e.max}` : '', e.matches !== undefined ? `matching /${e.matches}/` : ''];
  return parts.filter(Boolean).join(' and ');
}

/** Whether an answer is what the drill expects, and how to say what it was. */
export function judgeAnswer(got: { rows: number; value: string | null }, wanted: Expectation): { ok: boolean; said: string } {
  if (typeof wanted === 'object' && 'empty' in wanted) return { ok: got.rows === 0, said: got.rows === 0 ? 'no row' : `${got.rows} row(s), the first ${JSON.stringify(got.value)}` };
  const said = got.rows === 0 ? 'no row' : JSON.stringify(got.value);
  if (typeof wanted === 'string') return { ok: got.rows > 0 && matches(got.value, wanted), said };
  if (got.rows === 0) return { ok: false, said };
  const n = got.value === null ? NaN : Number(got.value);
  const ok =
    (wanted.equals === undefined || matches(got.value, wanted.equals)) &&
    (wanted.min === undefined || (Number.isFinite(n) && n >= wanted.min)) &&
    (wanted.max === undefined || (Number.isFinite(n) && n <= wanted.max)) &&
    (wanted.matches === undefined || (got.value !== null && new RegExp(wanted.matches).test(got.value)));
  return { ok, said };
}

/** The drill's own `verify` SQL entries, in order. */
export async function sqlChecks({ drill, restored, truth, sourceAnswer }: VerifyContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [i, c] of drill.verify.entries()) {
    if ('sql' in c) results.push(await sqlCheck(restored, c, truth?.compareValues.get(i), sourceAnswer));
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
