// The incident port: something bad that happens to the primary, its backup or its archive. The harness records
// when it happened (database clock), the WAL position and, for a transaction, its xid: targets and the RPO are
// derived from that record. One adapter file per kind, registered in incidents/registry.ts.
import type pg from 'pg';
import { PgdrillError } from '../errors.js';
import type { BackupArtifact, BackupContext, BackupMethod } from '../tools/backup-method.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import type { CheckResult } from '../model/check-result.js';
import { isoUtc } from '../pg/timestamps.js';

export interface IncidentRecord {
  kind: string;
  description: string;
  /** The statement or action that did the damage, as run. */
  statement: string;
  /** Transaction id of the incident, when it is one transaction (recovery_target_xid). */
  xid?: string;
  /** WAL insert position just before the incident. */
  lsnBefore: string;
  /** WAL position after the incident (what must be archived for a before-incident recovery). */
  lsnAfter: string;
  /** When the incident happened: its commit timestamp, or the database clock at the moment of the damage. */
  commitTime: string;
  /** The same, as microseconds since the epoch (for exact arithmetic). */
  commitMicros: number;
  /** Facts about the damage for the report (file, block, segment...). */
  details?: Record<string, string>;
  /** Where in the WAL the damage is, when it is not the commit (DROP DATABASE removes files before committing). */
  damageLsn?: string;
  /** Commit LSN of each transaction (by xid) committed while the incident ran: markers among them are classified by it. */
  commitLsns?: Record<string, string>;
  /**
   * The damage destroyed the primary: every commit it acknowledged happened before the loss, whatever the clock
   * read just before the kill says (the kill lands later, on docker after a round trip to the engine).
   */
  destroysPrimary?: boolean;
  /** Commit time of the newest transaction committed before the damage: a time target stops just before it. */
  lastCommitBefore?: string;
  /** Whether pgdrill's own checks noticed the damage (corrupt-page: checksums on read, pg_checksums, pg_amcheck). */
  detections?: CheckResult[];
}

export interface IncidentContext {
  primary: PostgresInstance;
  backupContext: BackupContext;
  backup: BackupArtifact;
  /** The drill's backup method: incidents that damage the backup or its archive go through it. */
  method: BackupMethod;
}

/** A table whose pre-incident content recovery must bring back, in its database. */
export interface ProtectedTable {
  table: string;
  database?: string;
}

/** What the drill loader must know about an incident kind before anything starts. */
export interface IncidentFacts {
  /** What the backup method must offer for the incident to damage it (the method does the damage); any when absent. */
  readonly requires?: 'removableWal' | 'damageableBackup';
  /**
   * Names of the checks meant to find this damage. A drill with `expect: detected` passes only when one of them
   * failed (found it); only incidents with such checks accept `expect: detected`, and they require it.
   */
  readonly detectedBy?: readonly string[];
}

export interface Incident {
  readonly kind: string;
  /** False when the incident destroys the primary: nothing more can be read from or flushed by it. */
  readonly primarySurvives: boolean;
  describe(): string;
  /** Checks the incident can happen (the table exists...) before anything irreversible; lists what it endangers. */
  preflight(primary: PostgresInstance): Promise<ProtectedTable[]>;
  /** Damage done to the backup itself, between taking and verifying it (corrupt-backup). */
  afterBackup?(ctx: BackupContext, backup: BackupArtifact, method: BackupMethod): Promise<IncidentRecord>;
  inject(ic: IncidentContext): Promise<IncidentRecord>;
  /** What recovery.target: before-incident means for this incident. */
  beforeIncidentTarget(record: IncidentRecord): RecoveryTarget;
}

const TIME_COLUMNS = `${isoUtc('ts')} as commit_time,
              (extract(epoch from ts) * 1000000)::bigint::text as micros`;

/** The database clock now, and the WAL insert position (for incidents that are not one transaction). */
export async function databaseMoment(instance: PostgresInstance): Promise<{ lsn: string; commitTime: string; commitMicros: number }> {
  const [row] = await instance.query<{ lsn: string; commit_time: string; micros: string }>(
    `select pg_current_wal_insert_lsn()::text as lsn, ${TIME_COLUMNS} from (select clock_timestamp() as ts) c`,
  );
  return { lsn: row?.lsn ?? '', commitTime: row?.commit_time ?? '', commitMicros: Number(row?.micros ?? 0) };
}

/**
 * Runs the damaging statement in its own transaction and records what the recovery target and the RPO
 * measurement need. The commit time comes from track_commit_timestamp (docs/postgres-facts.md #4).
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
    const result = await client.query(statement).catch(async (error: unknown) => {
      await client.query('rollback').catch(() => undefined);
      throw new PgdrillError(`the incident statement failed, so no damage was done: ${statement}: ${(error as Error).message}`, 'fix the incident (table, set, where) in the drill file');
    });
    const xidRow = await client.query<{ xid: string }>('select pg_current_xact_id()::text as xid');
    await client.query('commit');
    const xid = xidRow.rows[0]?.xid ?? '';
    const after = await client.query<{ lsn: string; commit_time: string; micros: string }>(
      `select pg_current_wal_lsn()::text as lsn, ${TIME_COLUMNS}
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
      ...(result.rowCount !== null && result.command !== 'DROP' ? { details: { rowsAffected: String(result.rowCount) } } : {}),
    };
  } finally {
    await client.end();
  }
}

/** The default before-incident target: the incident transaction itself, excluded (docs/postgres-facts.md #5). */
export function excludeIncidentTransaction(record: IncidentRecord): RecoveryTarget {
  if (record.xid) return { kind: 'xid', xid: record.xid, inclusive: false };
  return { kind: 'lsn', lsn: record.lsnBefore, inclusive: false };
}
