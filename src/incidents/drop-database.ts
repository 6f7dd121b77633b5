// drop-database: a whole database is dropped. DROP DATABASE cannot run inside a transaction block, so its xid
// is not known: the before-incident target is the WAL position just before it, excluded.
import { PgdrillError } from '../errors.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../recovery/recovery-target.js';
import { quoteIdent } from '../verify/sql-ident.js';
import { databaseMoment, type Incident, type IncidentContext, type IncidentRecord, type ProtectedTable } from './incident.js';

export class DropDatabaseIncident implements Incident {
  readonly kind = 'drop-database';
  readonly primarySurvives = true;

  constructor(private readonly database: string) {}

  describe(): string {
    return `DROP DATABASE ${this.database}`;
  }

  async preflight(primary: PostgresInstance): Promise<ProtectedTable[]> {
    const [row] = await primary.query<{ n: string }>('select count(*)::text as n from pg_database where datname = $1', [this.database]);
    if (row?.n !== '1') {
      throw new PgdrillError(
        `incident.database ${this.database} does not exist on the primary after the workload was loaded`,
        'create it in a fixture (CREATE DATABASE, then \\connect to fill it) or name an existing database',
      );
    }
    const client = await primary.connect(this.database);
    try {
      const { rows } = await client.query<{ t: string }>(
        `select quote_ident(schemaname) || '.' || quote_ident(tablename) as t from pg_tables
          where schemaname not in ('pg_catalog', 'information_schema') order by 1`,
      );
      return rows.map((r) => ({ table: r.t.replace(/"/g, ''), database: this.database }));
    } finally {
      await client.end();
    }
  }

  async inject({ primary }: IncidentContext): Promise<IncidentRecord> {
    const before = await databaseMoment(primary);
    const statement = `drop database ${quoteIdent(this.database)} with (force)`;
    await primary.query(statement);
    const after = await databaseMoment(primary);
    return {
      kind: this.kind,
      description: `database ${this.database} is dropped`,
      statement,
      lsnBefore: before.lsn,
      lsnAfter: after.lsn,
      commitTime: after.commitTime,
      commitMicros: after.commitMicros,
    };
  }

  beforeIncidentTarget(record: IncidentRecord): RecoveryTarget {
    return { kind: 'lsn', lsn: record.lsnBefore, inclusive: false };
  }
}
