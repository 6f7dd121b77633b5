// drop-database: a whole database is dropped. DROP DATABASE is a transaction, but it does its damage before it
// commits: an in-place update marks the database invalid (PostgreSQL 15.4+), then, after a forced checkpoint,
// a `Database DROP dir` record removes its files. Stopping before the commit is too late. The WAL itself says
// where the damage starts: pg_waldump over the window of the statement finds its first record (the
// before-incident target, exclusive), and the commit record of every transaction in that window, so markers are
// classified by where they committed in the WAL, not by a clock read in another round trip (docs/postgres-facts.md #12).
import path from 'node:path';
import type { BackupContext } from '../tools/backup-method.js';
import { PgdrillError } from '../errors.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import { formatLsn, parseLsn } from '../pg/lsn.js';
import { quoteIdent } from '../pg/identifiers.js';
import { databaseMoment, type Incident, type IncidentContext, type IncidentRecord, type ProtectedTable } from './incident.js';
import { isoUtc } from '../pg/timestamps.js';

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
        `select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast' order by 1`,
      );
      return rows.map((r) => ({ table: r.t, database: this.database }));
    } finally {
      await client.end();
    }
  }

  async inject({ primary, backupContext }: IncidentContext): Promise<IncidentRecord> {
    const [last] = await primary.query<{ ts: string | null }>(`select ${isoUtc('timestamp')} as ts from pg_last_committed_xact()`);
    const before = await databaseMoment(primary);
    const statement = `drop database ${quoteIdent(this.database)} with (force)`;
    await primary.query(statement);
    const [flushed] = await primary.query<{ lsn: string }>('select pg_current_wal_flush_lsn()::text as lsn');
    const after = flushed?.lsn ?? before.lsn;
    const wal = await readWindow(backupContext, primary, before.lsn, after);
    const [commit] = await primary.query<{ ts: string; micros: string }>(
      `select ${isoUtc('ts')} as ts, (extract(epoch from ts) * 1000000)::bigint::text as micros from (select pg_xact_commit_timestamp($1::xid) as ts) c`,
      [wal.xid],
    );
    // The newest commit before the damage: a time target can only stop at a commit, so it stops before this one.
    const lastSafeXid = [...wal.commits.entries()].filter(([, lsn]) => parseLsn(lsn) < parseLsn(wal.damageLsn)).at(-1)?.[0];
    const [safe] = lastSafeXid ? await primary.query<{ ts: string | null }>(`select ${isoUtc('pg_xact_commit_timestamp($1::xid)')} as ts`, [lastSafeXid]) : [];
    const lastCommitBefore = safe?.ts ?? last?.ts ?? undefined;
    return {
      kind: this.kind,
      description: `database ${this.database} is dropped`,
      statement,
      xid: wal.xid,
      lsnBefore: wal.damageLsn,
      lsnAfter: after,
      commitTime: commit?.ts ?? before.commitTime,
      commitMicros: Number(commit?.micros ?? before.commitMicros),
      ...(lastCommitBefore ? { lastCommitBefore } : {}),
      damageLsn: wal.damageLsn,
      commitLsns: Object.fromEntries(wal.commits),
      details: { firstDamagingRecordLsn: wal.damageLsn, dropDirLsn: wal.dropLsn, commitLsn: wal.commits.get(wal.xid) ?? '', windowStartLsn: before.lsn },
    };
  }

  /** Just before the first record of the DROP: the database and every transaction committed before it. */
  beforeIncidentTarget(record: IncidentRecord): RecoveryTarget {
    return { kind: 'lsn', lsn: record.damageLsn ?? record.lsnBefore, inclusive: false };
  }
}

/** The shared catalog pg_database (tablespace 1664, database 0, relfilenode 1262). */
const PG_DATABASE = 'rel 1664/0/1262';

/**
 * pg_waldump over [from, to): the DROP dir record and its transaction, where the damage starts (the first record
 * of that transaction or the in-place update of pg_database that marks the database invalid, whichever is
 * first), and every commit record with its LSN.
 */
async function readWindow(ctx: BackupContext, primary: PostgresInstance, from: string, to: string): Promise<{ xid: string; dropLsn: string; damageLsn: string; commits: Map<string, string> }> {
  const dump = await ctx.runner.run(ctx.provider.tool('pg_waldump'), ['-p', path.join(primary.dataDir, 'pg_wal'), '-s', from, '-e', to], {
    label: 'pg_waldump-drop-database',
    asServerUser: true,
    allowFailure: true,
  });
  const commits = new Map<string, string>();
  const records: Array<{ rmgr: string; xid: string; lsn: string; desc: string }> = [];
  let drop: { xid: string; lsn: string } | undefined;
  for (const line of dump.stdout.split('\n')) {
    const m = /rmgr: (\w+)\s.*?tx:\s+(\d+), lsn: ([0-9A-F]+\/[0-9A-F]+),.*desc: (.*)$/.exec(line);
    if (!m) continue;
    const [, rmgr = '', xid = '', lsn = '', desc = ''] = m;
    records.push({ rmgr, xid, lsn, desc });
    if (rmgr === 'Database' && /^DROP\b/.test(desc)) drop ??= { xid, lsn };
    if (rmgr === 'Transaction' && /^COMMIT\b/.test(desc)) commits.set(xid, lsn);
  }
  if (!drop) {
    throw new PgdrillError(
      `could not find the DROP DATABASE record in the WAL between ${from} and ${to} (pg_waldump exit ${dump.exitCode}): ${dump.stderr.trim().split('\n').at(-1) ?? ''}`,
      `see ${dump.logFile}`,
    );
  }
  const dropXid = drop.xid;
  const first = records.find((r) => r.xid === dropXid || (r.rmgr === 'Heap' && r.desc.startsWith('INPLACE') && r.desc.includes(PG_DATABASE)));
  const norm = (lsn: string) => formatLsn(parseLsn(lsn));
  return { xid: dropXid, dropLsn: norm(drop.lsn), damageLsn: norm(first?.lsn ?? drop.lsn), commits };
}
