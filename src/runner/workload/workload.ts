// Loads the drill's workload on the primary: SQL fixture files through psql (so COPY ... FROM stdin and
// pg_dump output work), and optionally pgbench's tables at a given scale.
import type { CommandRunner } from '../../exec/command-runner.js';
import type { Drill } from '../../drill/drill.js';
import type { PostgresInstance, Provider } from '../../providers/provider.js';

export async function loadWorkload(drill: Drill, primary: PostgresInstance, provider: Provider, runner: CommandRunner): Promise<void> {
  const conn = ['-h', primary.host, '-p', String(primary.port), '-U', 'postgres', '-w'];
  const env = { PGPASSWORD: String(primary.connection.password) };
  for (const fixture of drill.fixturePaths) {
    await runner.run(provider.tool('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...conn, '-d', 'postgres', '-f', fixture], {
      label: 'psql-fixture',
      env,
    });
  }
  if (drill.workload.pgbench) {
    // pgbench has no -w: PGPASSWORD is enough.
    await runner.run(provider.tool('pgbench'), ['-i', '-q', '-s', String(drill.workload.pgbench.scale), ...conn.filter((a) => a !== '-w'), 'postgres'], {
      label: 'pgbench-init',
      env,
    });
  }
}

/** pgbench's TPC-B-like load for `duration` after the backup: WAL for the recovery to replay. */
export async function runPgbench(drill: Drill, primary: PostgresInstance, provider: Provider, runner: CommandRunner): Promise<void> {
  const pgbench = drill.workload.pgbench;
  if (!pgbench?.duration) return;
  const seconds = Math.max(1, Math.round(pgbench.duration / 1000));
  await runner.run(
    provider.tool('pgbench'),
    ['-n', '-c', String(pgbench.clients), '-j', String(Math.min(pgbench.clients, 2)), '-T', String(seconds), '-h', primary.host, '-p', String(primary.port), '-U', 'postgres', 'postgres'],
    { label: 'pgbench-run', env: { PGPASSWORD: String(primary.connection.password) }, timeoutMs: pgbench.duration + 120_000 },
  );
}
