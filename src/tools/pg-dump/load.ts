// The one way pgdrill restores a dump, for its own dumps and for the user's: a fresh instance of pgdrill's own
// (initdb, its password, commit timestamps on), filled by pg_restore (or psql for a SQL file), stopped again if
// loading fails. A dump is loaded, not recovered: there is no point in time but the dump's own.
import type { PostgresInstance } from '../../providers/provider.js';
import type { LogicalRestorePlan } from '../backup-method.js';
import type { SourceContext } from '../source.js';

/** The settings of the instance a dump is loaded into (the RPO of what it replays is read from commit timestamps). */
const FRESH = { wal_level: 'replica', track_commit_timestamp: 'on' } as const;

/** A plan whose load() creates a fresh instance and runs `fill` on it. */
export function loadIntoFresh(ctx: SourceContext, instanceName: string, fill: (instance: PostgresInstance, password: string) => Promise<void>): LogicalRestorePlan {
  return {
    kind: 'logical',
    settings: {},
    load: async (password) => {
      const instance = await ctx.provider.initPrimary(ctx, { name: instanceName, password, deadlineMs: 120_000, settings: FRESH });
      try {
        await fill(instance, password);
        return instance;
      } catch (error) {
        await instance.stop();
        throw error;
      }
    },
  };
}

/** How pgdrill's tools reach the fresh instance. */
export function connection(instance: PostgresInstance): string[] {
  return ['-h', instance.host, '-p', String(instance.port), '-U', 'postgres', '-w'];
}

/**
 * pg_restore of one archive (custom or directory format) into the instance, stopping at the first error.
 * `create`: the dump's database is created (every database but postgres). `portable`: owners, privileges and
 * tablespaces of the source are left out (the roles and paths of a user's cluster are not here).
 */
export async function pgRestore(ctx: SourceContext, instance: PostgresInstance, password: string, file: string, o: { create: boolean; portable: boolean; label: string }): Promise<void> {
  const portable = o.portable ? ['--no-owner', '--no-privileges', '--no-tablespaces'] : [];
  await ctx.runner.run(ctx.provider.tool('pg_restore'), [...connection(instance), '--exit-on-error', ...portable, ...(o.create ? ['--create'] : []), '-d', 'postgres', file], { label: o.label, env: { PGPASSWORD: password }, asServerUser: true });
}
