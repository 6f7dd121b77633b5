// drop-table: a bad migration drops a table.
import { PgdrillError } from '../errors.js';
import type { PostgresInstance } from '../providers/provider.js';
import { quoteIdent } from '../verify/sql-ident.js';
import { runIncidentTransaction, type Incident, type IncidentRecord } from './incident.js';

export class DropTableIncident implements Incident {
  readonly kind = 'drop-table';
  constructor(private readonly table: string) {}

  get protectedTables(): string[] {
    return [this.table];
  }

  describe(): string {
    return `DROP TABLE ${this.table}`;
  }

  async preflight(primary: PostgresInstance): Promise<void> {
    const [row] = await primary.query<{ oid: string | null }>('select to_regclass($1)::text as oid', [this.table]);
    if (!row?.oid) {
      throw new PgdrillError(
        `incident.table ${this.table} does not exist on the primary after the workload was loaded`,
        'create it in a fixture listed under workload.fixtures, or name an existing table',
      );
    }
  }

  inject(primary: PostgresInstance): Promise<IncidentRecord> {
    return runIncidentTransaction(primary, this.kind, `a bad migration drops table ${this.table}`, `drop table ${quoteIdent(this.table)}`);
  }
}
