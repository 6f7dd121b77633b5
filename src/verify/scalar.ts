// A query's answer as a drill file writes it: the first column of the first row, as text.
import type { PostgresInstance } from '../providers/provider.js';
import { whereChecksRun, type Where } from './where-checks-run.js';

/** First column of the first row as Postgres prints it (NULL as null), in the check's database and as its role. */
export async function scalar(instance: PostgresInstance, sql: string, where: Where = {}): Promise<string | null> {
  return (await answer(instance, sql, where)).value;
}

/** The same, with how many rows the query returned (an `expect: empty` check needs none). */
export async function answer(instance: PostgresInstance, sql: string, where: Where = {}): Promise<{ rows: number; value: string | null }> {
  return whereChecksRun(instance, where, async (client) => {
    const result = await client.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
    const first = (result.rows[0] as unknown[] | undefined)?.[0];
    return { rows: result.rows.length, value: first === undefined || first === null ? null : String(first) };
  });
}
