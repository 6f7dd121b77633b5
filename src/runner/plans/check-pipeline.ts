// `pgdrill check`, and the first step of every drill of an existing backup: the health of the user's backup
// pipeline against the drill's objectives, without restoring anything. The repository through its tool (what
// it holds, the age of the newest backup, what the tool says of it), and, with `live`, the source itself
// (read-only queries). Nothing is started, nothing is written.
import type { SourceDrill } from '../../drill/drill.js';
import { EnvironmentError } from '../../errors.js';
import { failed, passed, type PipelineFinding } from '../../pipeline/finding.js';
import { sourceHealth } from '../../pipeline/source-health.js';
import type { BackupSource, ChosenBackup, SourceContext } from '../../tools/source.js';

const human = (s: number) => (s >= 86_400 ? `${(s / 86_400).toFixed(1)}d` : s >= 3600 ? `${(s / 3600).toFixed(1)}h` : s >= 60 ? `${(s / 60).toFixed(1)}m` : `${s.toFixed(0)}s`);

export async function checkPipeline(drill: SourceDrill, source: BackupSource, ctx: SourceContext, backup: ChosenBackup, env: NodeJS.ProcessEnv, now = new Date()): Promise<PipelineFinding[]> {
  const findings: PipelineFinding[] = [passed('repository readable', `${backup.available.length} backup(s) in ${backup.location}; newest ${backup.available.at(-1) ?? '?'}`)];
  const newest = backup.newestStopTime ?? backup.stopTime;
  const maxAge = drill.objectives.maxBackupAge;
  if (!newest && maxAge !== undefined) {
    findings.push(failed('newest backup age', `the age of the newest backup could not be read from ${backup.location}, so objectives.maxBackupAge cannot be shown met`, 'drill a backup whose tool records when it finished (pgBackRest, Barman, barman-cloud; a base backup with its backup_label and pg_control)'));
  }
  if (newest) {
    const age = (now.getTime() - Date.parse(newest)) / 1000;
    if (maxAge !== undefined && age > maxAge / 1000) {
      findings.push(failed('newest backup age', `the newest backup finished ${human(age)} ago (${newest}), more than objectives.maxBackupAge ${human(maxAge / 1000)}`, 'check that the backup schedule runs (cron, systemd timer, barman cron) and that its last run succeeded'));
    } else {
      findings.push(passed('newest backup age', `the newest backup finished ${human(age)} ago (${newest})${maxAge !== undefined ? `, within objectives.maxBackupAge ${human(maxAge / 1000)}` : ''}`));
    }
  }
  findings.push(...((await source.health?.(ctx, backup)) ?? []));
  const live = drill.source.live;
  if (live) findings.push(...(await liveFindings(live.conninfo, env, drill.objectives.rpo, source.streamsWal?.() ?? false)));
  return findings;
}

async function liveFindings(conninfo: string, env: NodeJS.ProcessEnv, rpoMs: number, streamed: boolean): Promise<PipelineFinding[]> {
  const variable = conninfo.slice('env:'.length);
  const url = env[variable];
  if (!url) throw new EnvironmentError(`source.live.conninfo: ${variable} is not set`, `export ${variable}=postgresql://<marker role>@<host>/<database>`);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, application_name: 'pgdrill check', connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('set default_transaction_read_only = on');
    return await sourceHealth(client, rpoMs, { streamed });
  } catch (error) {
    return [failed('source reachable', `the live source (${conninfo}) could not be read: ${(error as Error).message}`, `check the connection string in ${variable} and the marker role (README: "A measured RPO: live")`)];
  } finally {
    await client.end().catch(() => undefined);
  }
}
