// Incidents that are one bad statement on one table (drop-table, truncate, delete-rows, update-rows): the
// table must exist, its content is what recovery must bring back, and the target excludes the statement.
import { PgdrillError } from '../errors.js';
import { resolveTable } from '../pg/identifiers.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import { excludeIncidentTransaction, runIncidentTransaction, type Incident, type IncidentContext, type IncidentRecord, type ProtectedTable } from './incident.js';

export abstract class TableStatementIncident implements Incident {
  abstract readonly kind: string;
  readonly primarySurvives = true;

  /** As written in the drill file until preflight resolves it to the server's own name. */
  constructor(protected table: string) {}

  /** The SQL that does the damage. */
  abstract statement(): string;
  /** A sentence for the report. */
  abstract description(): string;

  describe(): string {
    return this.statement();
  }

  async preflight(primary: PostgresInstance): Promise<ProtectedTable[]> {
    const resolved = await resolveTable(primary, this.table);
    if (!resolved) {
      throw new PgdrillError(
        `incident.table ${this.table} does not exist on the primary after the workload was loaded`,
        'create it in a fixture listed under workload.fixtures, or name an existing table',
      );
    }
    this.table = resolved;
    return [{ table: resolved }];
  }

  inject({ primary }: IncidentContext): Promise<IncidentRecord> {
    return runIncidentTransaction(primary, this.kind, this.description(), this.statement());
  }

  beforeIncidentTarget(record: IncidentRecord): RecoveryTarget {
    return excludeIncidentTransaction(record);
  }
}
