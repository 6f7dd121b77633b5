// The incident port: something bad that happens to the primary. The harness records the incident
// transaction's xid, LSNs and commit time (database clock), from which targets and RPO are derived.
import type pg from 'pg';
import type { PostgresInstance } from '../providers/provider.js';

export interface IncidentRecord {
  kind: string;
  description: string;
  /** The statement that did the damage, as run. */
  statement: string;
  /** Transaction id of the incident (recovery_target_xid). */
  xid: string;
  /** WAL insert position just before the incident transaction began. */
  lsnBefore: string;
  /** WAL position after the incident committed. */
  lsnAfter: string;
  /** Commit timestamp of the incident (pg_xact_commit_timestamp), ISO with microseconds. */
  commitTime: string;
  /** The same, as microseconds since the epoch (for exact arithmetic). */
  commitMicros: number;
}

export interface Incident {
  readonly kind: string;
  /** Tables whose pre-incident content recovery must bring back. */
  readonly protectedTables: string[];
  describe(): string;
  /** Checks the incident can happen (the table exists...) before anything irreversible. */
  preflight(primary: PostgresInstance): Promise<void>;
  inject(primary: PostgresInstance): Promise<IncidentRecord>;
}

/**
 * Runs the damaging statement in its own transaction and records what the recovery target and the RPO
 * measurement need. The commit time comes from track_commit_timestamp (PITR-FACTS #4).
 */
export async function runIncidentTransaction(
  primary: PostgresInstance,
  kind: string,
  description: string,
  statement: string,
): Promise<IncidentRecord> {
  const client: pg.Client = await primary.connect();
  try {
    const before = await client.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
    await client.query('begin');
    await client.query(statement);
    const xidRow = await client.query<{ xid: string }>('select pg_current_xact_id()::text as xid');
    await client.query('commit');
    const xid = xidRow.rows[0]?.xid ?? '';
    const after = await client.query<{ lsn: string; commit_time: string; micros: string }>(
      `select pg_current_wal_lsn()::text as lsn,
              to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as commit_time,
              (extract(epoch from ts) * 1000000)::bigint::text as micros
         from (select pg_xact_commit_timestamp(($1::bigint % 4294967296)::text::xid) as ts) c`,
      [xid],
    );
    const row = after.rows[0];
    return {
      kind,
      description,
      statement,
      xid,
      lsnBefore: before.rows[0]?.lsn ?? '',
      lsnAfter: row?.lsn ?? '',
      commitTime: row?.commit_time ?? '',
      commitMicros: Number(row?.micros ?? 0),
    };
  } finally {
    await client.end();
  }
}
