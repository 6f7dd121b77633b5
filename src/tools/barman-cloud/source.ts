// Backups the user ships to object storage with barman-cloud-backup and barman-cloud-wal-archive: listed with
// barman-cloud-backup-list / -backup-show, restored with barman-cloud-restore into the sandbox (tablespaces
// remapped into the work folder), WAL fetched by barman-cloud-wal-restore. Credentials come from pgdrill's
// environment (AWS_*, a profile) and reach only the barman-cloud commands: the sandbox's restore_command is a
// script in the work folder, so no key is ever in a setting, a command line or a report.
import type { RestorePlan, RestoreRequest } from '../backup-method.js';
import { folderSize } from '../common/folder-size.js';
import { DrillConfigError, EnvironmentError } from '../../errors.js';
import { BarmanCloudCli } from './cli.js';
import { chooseBackup } from '../common/choose-backup.js';
import type { BackupSource, ChosenBackup, SourceContext } from '../source.js';

export interface BarmanCloudOptions {
  destination: string;
  server: string;
  endpoint?: string | undefined;
  cloudProvider: string;
  profile?: string | undefined;
  backup: string;
  seed?: number | undefined;
}

interface CloudBackup {
  backup_id: string;
  status: string;
  version: number;
  begin_time: string;
  end_time: string;
  begin_xlog: string;
  end_xlog: string;
  begin_wal: string;
  size?: number | null;
  tablespaces?: Array<[string, number, string]> | Array<{ name: string; oid: number; location: string }> | null;
}

export class BarmanCloudSource implements BackupSource {
  readonly kind = 'barman-cloud';
  private tablespaces: string[] = [];
  private readonly cli: BarmanCloudCli;

  constructor(
    private readonly o: BarmanCloudOptions,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.cli = new BarmanCloudCli({ destination: o.destination, server: o.server, endpoint: o.endpoint, cloudProvider: o.cloudProvider, profile: o.profile }, env);
  }

  readOnlyPaths(): string[] {
    return [];
  }

  /** Object storage only; a CA bundle for a private endpoint is a file (AWS_CA_BUNDLE). */
  inputPaths(): string[] {
    return process.env['AWS_CA_BUNDLE'] ? [process.env['AWS_CA_BUNDLE']] : [];
  }

  /** The object store: the endpoint given, or the provider's own (any host that is not this one). */
  endpoints(): string[] {
    return [this.o.endpoint ?? 's3.amazonaws.com'];
  }

  secrets(): string[] {
    return this.cli.secrets();
  }

  private common(): string[] {
    return this.cli.options();
  }

  private cloud(ctx: SourceContext, file: string, args: string[], label: string): Promise<string> {
    return this.cli.run(ctx.runner, ctx.serverUser, file, args, label);
  }

  async inspect(ctx: SourceContext): Promise<ChosenBackup> {
    const listed = (JSON.parse(await this.cloud(ctx, 'barman-cloud-backup-list', ['--format=json', ...this.common(), this.o.destination, this.o.server], 'barman-cloud-backup-list')) as { backups_list?: CloudBackup[] }).backups_list ?? [];
    const done = listed.filter((b) => b.status === 'DONE').map((b) => b.backup_id).sort();
    if (done.length === 0) {
      throw new DrillConfigError([{ file: this.o.destination, path: 'source.barmanCloud', message: `no complete backup of server ${this.o.server} in ${this.o.destination}${listed.length ? ` (${listed.map((b) => `${b.backup_id} ${b.status}`).join(', ')})` : ''}`, fix: 'check destination and server (as given to barman-cloud-backup)' }]);
    }
    const { label, chosenBy } = chooseBackup(done, this.o.backup, this.o.seed, 'source.barmanCloud.backup');
    const shown = Object.values(JSON.parse(await this.cloud(ctx, 'barman-cloud-backup-show', ['--format=json', ...this.common(), this.o.destination, this.o.server, label], 'barman-cloud-backup-show')) as Record<string, CloudBackup>)[0] as CloudBackup;
    this.tablespaces = (shown.tablespaces ?? []).map((t) => (Array.isArray(t) ? t[0] : t.name));
    const newest = await this.newestSegment(ctx);
    // barman-cloud-backup-show prints times with ctime(): the database's wall clock without its offset. backup.info
    // keeps the offset; read there, a backup in Asia/Tokyo is as old as it is.
    const times = await this.cli.backupTimes(ctx.runner, ctx.serverUser);
    const time = (id: string, which: 'begin' | 'end') => {
      const t = times[id]?.[which];
      if (!t) throw new EnvironmentError(`barman-cloud: backup ${id} of server ${this.o.server} has no ${which} time in its backup.info`, 'check the backup with barman-cloud-backup-show');
      return new Date(t).toISOString();
    };
    return {
      label,
      chosenBy,
      location: `barman-cloud ${this.o.destination} server ${this.o.server}${this.o.endpoint ? ` at ${this.o.endpoint}` : ''}`,
      pgMajor: Math.floor(shown.version / 10000),
      startTime: time(label, 'begin'),
      stopTime: time(label, 'end'),
      startLsn: shown.begin_xlog,
      stopLsn: shown.end_xlog,
      sizeBytes: shown.size ?? 0,
      ...(newest ? { walRange: { first: shown.begin_wal, last: newest } } : {}),
      available: done,
      newestStopTime: done
        .map((id) => time(id, 'end'))
        .sort()
        .at(-1),
    };
  }

  async newestSegment(ctx: SourceContext): Promise<string | undefined> {
    return (await this.cli.walSegments(ctx.runner, ctx.serverUser)).at(-1);
  }

  async restore(ctx: SourceContext, backup: ChosenBackup, request: RestoreRequest): Promise<RestorePlan> {
    const plan = await this.cli.restore(ctx, request, backup.label, this.tablespaces, 'barman-cloud-restore');
    if (!backup.sizeBytes) backup.sizeBytes = folderSize(plan.dataDir); // barman-cloud does not record the size: what was downloaded
    return plan;
  }

  async version(ctx: SourceContext): Promise<string> {
    const r = await ctx.runner.run('barman-cloud-restore', ['--version'], { label: 'barman-cloud-version', allowFailure: true });
    return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
  }
}
