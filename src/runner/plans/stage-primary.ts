// Stage 1 of a self-contained drill: a primary of pgdrill's own with the settings PITR and the measurements need,
// the backup method prepared on it, and the workload loaded (fixtures, pgbench, background writers).
import { mkdirSync } from 'node:fs';
import type { Drill } from '../../drill/drill.js';
import { EnvironmentError, isAbortError } from '../../errors.js';
import { chownTree } from '../../exec/os-user.js';
import type { ProtectedTable } from '../../incidents/incident.js';
import type { PostgresInstance } from '../../providers/provider.js';
import { BackgroundWriter } from '../workload/background-writer.js';
import type { Stage } from './stage.js';
import { loadWorkload } from '../workload/workload.js';
import { PINNED_SETTINGS } from '../../pg/pinned-settings.js';

/** Settings every primary gets so that PITR and the measurements work (docs/postgres-facts.md #4). */
const PRIMARY_SETTINGS = { wal_level: 'replica', track_commit_timestamp: 'on', max_wal_senders: 10 } as const;

export interface PrimaryStage {
  primary: PostgresInstance;
  settings: Record<string, string>;
  /** What the incident will endanger (its tables), known once the workload is loaded. */
  endangered: ProtectedTable[];
  writers: BackgroundWriter[];
}

export async function startPrimary(drill: Drill, s: Stage): Promise<PrimaryStage> {
  const { ctx, runner } = s.session;
  mkdirSync(ctx.archiveDir, { recursive: true, mode: 0o700 });
  chownTree(ctx.archiveDir, s.serverUser);
  const settings = { ...PRIMARY_SETTINGS, ...drill.postgres.settings, ...PINNED_SETTINGS, ...s.method.primarySettings(ctx) };
  const primary = await s.timeline.phase('provision-primary', () =>
    s.provider.initPrimary(ctx, { name: 'primary', password: s.password, deadlineMs: drill.timeouts.step, settings }).catch((error: unknown) => {
      if (isAbortError(error) || error instanceof EnvironmentError) throw error;
      throw new EnvironmentError(`the primary instance would not start: ${(error as Error).message}`, 'see logs/primary-server.log; check postgres.settings in the drill file', { cause: error });
    }),
  );
  s.session.defer('stop the primary', () => primary.stop('immediate'));
  const observed = await primarySettings(primary);
  if (s.method.dispose) s.session.defer(`stop ${s.method.name}'s background processes`, () => s.method.dispose?.());
  const prepare = s.method.prepare?.bind(s.method);
  if (prepare) await s.timeline.phase('prepare-backup', () => prepare(ctx, primary));

  const writers = drill.workload.background.map((b) => new BackgroundWriter(primary, b.sql, b.every));
  const endangered = await s.timeline.phase('load-workload', async () => {
    await loadWorkload(drill, primary, s.provider, runner);
    const tables = await s.incident.preflight(primary);
    for (const w of writers) await w.start();
    return tables;
  });
  s.session.defer('stop the background writers', () => Promise.all(writers.map((w) => w.stop())));
  return { primary, settings: observed, endangered, writers };
}

async function primarySettings(primary: PostgresInstance): Promise<Record<string, string>> {
  const rows = await primary.query<{ name: string; setting: string; unit: string | null }>(
    `select name, setting, unit from pg_settings
      where name in ('server_version', 'wal_level', 'archive_mode', 'archive_timeout', 'wal_compression', 'full_page_writes',
                     'data_checksums', 'track_commit_timestamp', 'checkpoint_timeout', 'max_wal_size', 'synchronous_commit',
                     'wal_segment_size', 'shared_buffers')
      order by name`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.unit && !['bool', ''].includes(r.unit) ? `${r.setting} (${r.unit})` : r.setting]));
}
