// Timestamps PostgreSQL can never have stored. timestamp and timestamptz are 8-byte integers, so every bit
// pattern reaches the output function, but input, arithmetic and binary COPY all refuse values outside
// 4714-11-24 BC .. 294276-12-31 (infinity and -infinity aside): one found there was damaged on its page.
// Below that range the value does not even print ("timestamp out of range", which a full read also meets);
// above it, it prints as a year past 294276, and only this comparison sees it. An integer comparison per
// row, no text: quick and full both run it (scan-values.ts, read-tables.ts).
import { rangeLabel, type BlockRange } from './block-ranges.js';
import type { IntegrityFinding } from './integrity-finding.js';

const STORED: Record<string, string> = {
  timestamp: `'4714-11-24 00:00:00 BC'::timestamp and '294276-12-31 23:59:59.999999'::timestamp`,
  timestamptz: `'4714-11-24 00:00:00+00 BC'::timestamptz and '294276-12-31 23:59:59.999999+00'::timestamptz`,
};

export interface RangeTest {
  column: string;
  /** A boolean SQL expression over the row alias `t`: true for a value PostgreSQL cannot have stored. */
  test: string;
}

/** The range test of a built-in column, or undefined when its type has none. */
export function rangeTest(column: string, sqlColumn: string, typname: string): RangeTest | undefined {
  const bounds = STORED[typname];
  return bounds ? { column, test: `${sqlColumn} not between ${bounds} and isfinite(${sqlColumn})` } : undefined;
}

/** Select-list items counting the rows each test matches: `, count(*) filter (where ...) as bad0`. */
export function rangeCounts(tests: readonly RangeTest[]): string {
  return tests.map((o, i) => `, count(*) filter (where ${o.test})::text as bad${i}`).join('');
}

/** The findings of one range's row, as rangeCounts named its columns. */
export function rangeFindings(tests: readonly RangeTest[], row: Record<string, unknown>, r: BlockRange): IntegrityFinding[] {
  return tests.flatMap((o, i) => {
    const bad = Number(row[`bad${i}`] ?? 0);
    if (bad === 0) return [];
    const message = `${bad} value(s) of column ${o.column} outside the range PostgreSQL can store (4714-11-24 BC to 294276-12-31): damaged bytes${rangeLabel(r)}`;
    return [{ tool: 'read' as const, database: r.relation.database, relation: r.relation.name, block: null, message }];
  });
}
