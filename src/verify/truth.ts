// The pre-incident truth: fingerprints of the protected tables and the values of `compare: pre-incident`
// checks, captured on the primary just before the incident.
import type { Drill } from '../drill/drill.js';
import type { ProtectedTable } from '../incidents/incident.js';
import type { PostgresInstance } from '../providers/provider.js';
import { scalar } from './scalar.js';
import { fingerprint, type Fingerprint } from './fingerprint.js';
import { resolveTable } from '../pg/identifiers.js';
import { PgdrillError } from '../errors.js';

export interface PreIncidentTruth {
  fingerprints: Fingerprint[];
  /** Index in drill.verify -> value before the incident. */
  compareValues: Map<number, string | null>;
}

/** The incident's tables plus the drill's `table:` checks, each once. */
export function protectedTables(drill: Drill, incidentTables: ProtectedTable[]): ProtectedTable[] {
  const all: ProtectedTable[] = [...incidentTables, ...drill.verify.flatMap((c) => ('table' in c ? [{ table: c.table, ...(c.database ? { database: c.database } : {}) }] : []))];
  const seen = new Set<string>();
  return all.filter((t) => {
    const key = `${t.database ?? 'postgres'}\u0000${t.table}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function captureTruth(drill: Drill, primary: PostgresInstance, tables: ProtectedTable[]): Promise<PreIncidentTruth> {
  const fingerprints: Fingerprint[] = [];
  for (const t of tables) {
    const resolved = await resolveTable(primary, t.table, t.database);
    if (!resolved) {
      throw new PgdrillError(`table ${t.table} (a verify entry) does not exist on the primary${t.database ? ` in database ${t.database}` : ''}`, 'create it in a fixture, or fix the name (unquoted names fold to lower case; quote mixed case: public."Audit Trail")');
    }
    fingerprints.push(await fingerprint(primary, resolved, t.database));
  }
  const compareValues = new Map<number, string | null>();
  for (const [i, c] of drill.verify.entries()) {
    if ('sql' in c && c.compare === 'pre-incident') compareValues.set(i, await scalar(primary, c.sql, c));
  }
  return { fingerprints, compareValues };
}
