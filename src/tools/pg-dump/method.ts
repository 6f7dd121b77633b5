// pg_dump: a logical dump (custom format) of every database, restored with pg_restore into a fresh instance.
// No WAL, so no point in time: the data lost is everything since the dump. pg_restore --list checks each
// archive can be read before anything is restored.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeOwnedDir } from '../../exec/os-user.js';
import type { PostgresInstance } from '../../providers/provider.js';
import type { CheckResult } from '../../model/check-result.js';
import { connection, loadIntoFresh, pgRestore } from './load.js';
import type { ArchiveFlush, BackupArtifact, BackupContext, BackupMethod, RestorePlan, RestoreRequest, WalContinuity, MethodFacts } from '../backup-method.js';
import { isoUtc } from '../../pg/timestamps.js';

const GLOBALS = 'globals.sql';

export class PgDumpMethod implements BackupMethod {
  static readonly facts: MethodFacts = { pointInTime: false, removableWal: false, damageableBackup: false };
  readonly name: string = 'pg_dump';

  primarySettings(): Record<string, string> {
    return {};
  }

  private conn(primary: PostgresInstance): string[] {
    return ['-h', primary.host, '-p', String(primary.port), '-U', 'postgres', '-w'];
  }

  async takeBackup(ctx: BackupContext, primary: PostgresInstance): Promise<BackupArtifact> {
    const location = path.join(ctx.workDir, 'dump');
    makeOwnedDir(location, ctx.serverUser, 0o700);
    const env = { PGPASSWORD: String(primary.connection.password) };
    const started = performance.now();
    const dbs = await primary.query<{ datname: string }>('select datname from pg_database where datallowconn and not datistemplate order by datname');
    await ctx.runner.run(ctx.provider.tool('pg_dumpall'), [...this.conn(primary), '--globals-only', '-f', path.join(location, GLOBALS)], { label: 'pg_dumpall-globals', env, asServerUser: true });
    const snapshotTimes: string[] = [];
    for (const { datname } of dbs) {
      snapshotTimes.push(await this.dumpAtSnapshot(ctx, primary, datname, path.join(location, `${datname}.dump`), env));
    }
    const files = readdirSync(location);
    // The dump holds what was committed when each snapshot was taken, not when pg_dump finished: the data since
    // the earliest snapshot is what a restore of this dump loses.
    const endTime = snapshotTimes.sort()[0];
    return {
      method: this.name,
      location,
      ...(endTime ? { endTime } : {}),
      sizeBytes: files.reduce((sum, f) => sum + statSync(path.join(location, f)).size, 0),
      seconds: (performance.now() - started) / 1000,
    };
  }

  /**
   * pg_dump of one database in a snapshot pgdrill exports and holds open (pg_export_snapshot, --snapshot), so the
   * dump's point in time is known on the database clock. Every commit from then on is lost; so is a transaction
   * still finishing when the snapshot was taken, even though its commit timestamp can be a little earlier (the
   * timestamp is taken before the commit becomes visible). Those are the snapshot's in-progress xids and the
   * xids from its xmax on (xmax is the newest completed xid + 1). The point in time is the earliest of these, so
   * every commit before it is in the dump and the loss is never understated.
   */
  private async dumpAtSnapshot(ctx: BackupContext, primary: PostgresInstance, database: string, file: string, env: Record<string, string>): Promise<string> {
    const client = await primary.connect(database);
    try {
      await client.query('begin isolation level repeatable read read only');
      const { rows } = await client.query<{ snapshot: string; at: string; xip: string[]; xmax: string }>(
        `select pg_export_snapshot() as snapshot, statement_timestamp()::text as at,
                array(select x::text from pg_snapshot_xip(pg_current_snapshot()) x) as xip,
                pg_snapshot_xmax(pg_current_snapshot())::text as xmax`,
      );
      const snap = rows[0];
      await ctx.runner.run(ctx.provider.tool('pg_dump'), [...this.conn(primary), '-Fc', `--snapshot=${snap?.snapshot ?? ''}`, '-d', database, '-f', file], { label: `pg_dump-${database}`, env, asServerUser: true });
      // Every xid assigned before the snapshot is below the xmax of a snapshot taken now.
      const [now] = await primary.query<{ xmax: string }>('select pg_snapshot_xmax(pg_current_snapshot())::text as xmax');
      const { rows: point } = await client.query<{ at: string }>(
        `with invisible as (
           select x::bigint as x from unnest($2::text[]) x
           union all
           -- running at the snapshot means fewer xids than connections: the cap only bounds the work
           select g from generate_series($3::bigint, least($4::bigint - 1, $3::bigint + 100000)) g)
         select ${isoUtc('least($1::timestamptz, min(pg_xact_commit_timestamp((x % 4294967296)::text::xid)))')} as at
           from invisible`,
        [snap?.at, snap?.xip ?? [], snap?.xmax, now?.xmax ?? snap?.xmax],
      );
      return point[0]?.at ?? '';
    } finally {
      await client.query('commit').catch(() => undefined);
      await client.end();
    }
  }

  private dumps(backup: BackupArtifact): string[] {
    return readdirSync(backup.location).filter((f) => f.endsWith('.dump')).sort();
  }

  async verify(ctx: BackupContext, backup: BackupArtifact): Promise<CheckResult> {
    const problems: string[] = [];
    let entries = 0;
    for (const f of this.dumps(backup)) {
      const r = await ctx.runner.run(ctx.provider.tool('pg_restore'), ['--list', path.join(backup.location, f)], { label: `pg_restore-list-${f}`, allowFailure: true, asServerUser: true });
      if (r.exitCode !== 0) problems.push(`${f}: ${r.stderr.trim()}`);
      else entries += r.stdout.split('\n').filter((l) => /^\d+;/.test(l)).length;
    }
    return {
      name: 'backup-verified',
      status: problems.length === 0 ? 'passed' : 'failed',
      detail: problems.length === 0 ? `pg_restore --list read ${this.dumps(backup).length} dump(s), ${entries} TOC entries` : problems.join('; '),
    };
  }

  async archiveThrough(): Promise<ArchiveFlush> {
    return { segment: '', seconds: 0 };
  }

  async walContinuity(): Promise<WalContinuity> {
    return { continuous: true, applicable: false, firstSegment: '', lastSegment: '' };
  }

  async archiveEnd(): Promise<string | undefined> {
    return undefined;
  }

  async restore(ctx: BackupContext, backup: BackupArtifact, { instanceName }: RestoreRequest): Promise<RestorePlan> {
    return loadIntoFresh(ctx, instanceName, async (instance, password) => {
      // Roles first; "role postgres already exists" is expected and harmless.
      await ctx.runner.run(ctx.provider.tool('psql'), [...connection(instance), '-X', '-q', '-d', 'postgres', '-f', path.join(backup.location, GLOBALS)], { label: 'psql-globals', env: { PGPASSWORD: password }, allowFailure: true, asServerUser: true });
      for (const f of this.dumps(backup)) {
        const db = f.replace(/\.dump$/, '');
        await pgRestore(ctx, instance, password, path.join(backup.location, f), { create: db !== 'postgres', portable: false, label: `pg_restore-${db}` });
      }
    });
  }

  async version(ctx: BackupContext): Promise<string> {
    return (await ctx.runner.run(ctx.provider.tool('pg_dump'), ['--version'], { label: 'pg_dump-version' })).stdout.trim();
  }
}
