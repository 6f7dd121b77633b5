// The pre-incident truth: fingerprints of the protected tables and the values of `compare: pre-incident`
// checks, captured on the primary just before the incident.
import type { Drill } from '../drill/drill.js';
import type { PostgresInstance } from '../providers/provider.js';
import { scalar } from '../verify/sql-check.js';
import { fingerprint, type Fingerprint } from '../verify/table-fingerprint.js';

export interface PreIncidentTruth {
  fingerprints: Fingerprint[];
  /** Index in drill.verify -> value before the incident. */
  compareValues: Map<number, string | null>;
}

export function protectedTables(drill: Drill, incidentTables: string[]): string[] {
  const fromChecks = drill.verify.flatMap((c) => ('table' in c ? [c.table] : []));
  return [...new Set([...incidentTables, ...fromChecks])];
}

export async function captureTruth(drill: Drill, primary: PostgresInstance, tables: string[]): Promise<PreIncidentTruth> {
  const fingerprints: Fingerprint[] = [];
  for (const t of tables) fingerprints.push(await fingerprint(primary, t));
  const compareValues = new Map<number, string | null>();
  for (const [i, c] of drill.verify.entries()) {
    if ('sql' in c && c.compare === 'pre-incident') compareValues.set(i, await scalar(primary, c.sql));
  }
  return { fingerprints, compareValues };
}
