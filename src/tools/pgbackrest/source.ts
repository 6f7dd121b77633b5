// A pgBackRest stanza the user already has, through their own pgbackrest.conf: pgBackRest does all the reading
// (any repository type it supports, repository encryption, S3 keys), pgdrill never parses the secrets. Locks
// and logs go to the work folder, never to the user's; the restore goes into the sandbox's data folder
// with --archive-mode=off, the tablespaces remapped into the work folder, and WAL through archive-get.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RestorePlan, RestoreRequest } from '../backup-method.js';
import { DrillConfigError, EnvironmentError } from '../../errors.js';
import { chownTree, makeOwnedDir } from '../../exec/os-user.js';
import { failed, passed, type PipelineFinding } from '../../pipeline/finding.js';
import { chooseBackup } from '../common/choose-backup.js';
import { iniSections, iniValue } from '../common/ini.js';
import type { BackupSource, ChosenBackup, SourceContext } from '../source.js';
import { pgbackrestRestore } from './restore.js';

interface InfoBackup {
  label: string;
  type: string;
  timestamp: { start: number; stop: number };
  info?: { size?: number; repository?: { size?: number; delta?: number } };
  archive?: { start?: string; stop?: string };
  lsn?: { start?: string; stop?: string };
  database?: { id?: number; 'repo-key'?: number };
}

interface InfoStanza {
  name: string;
  status?: { code: number; message: string };
  backup: InfoBackup[];
  db: Array<{ id: number; version: string }>;
  archive?: Array<{ id: string; min?: string; max?: string; database?: { id?: number; 'repo-key'?: number } }>;
}

export class PgBackRestSource implements BackupSource {
  readonly kind = 'pgbackrest';
  /** The stanza as inspect read it (the pipeline check right after needs no second `info`). */
  private inspected: InfoStanza | undefined;
  /** The chosen backup's database id and repository: its WAL is that archive's, not another repository's. */
  private chosen: { db?: number | undefined; repo?: number | undefined } = {};

  constructor(
    private readonly config: string,
    private readonly stanza: string,
    private readonly set: string,
    private readonly repo: number | undefined,
    private readonly seed: number | undefined,
  ) {}

  readOnlyPaths(): string[] {
    return [this.config];
  }

  /** A repository option as pgBackRest reads it: the stanza's section first, then [global]. */
  private repoOption(): (name: string) => string | undefined {
    const sections = iniSections(readFileSync(this.config, 'utf8'));
    const global = sections.find((s) => s.name === 'global')?.lines ?? [];
    const own = sections.find((s) => s.name === this.stanza)?.lines ?? [];
    return (name) => iniValue(own, name) ?? iniValue(global, name);
  }

  /** The configuration, and the folder and CA file of every repository it names (S3 repositories have none). */
  inputPaths(): string[] {
    const option = this.repoOption();
    const paths = [this.config];
    for (let n = 1; n <= 256; n++) {
      const type = option(`repo${n}-type`);
      const repoPath = option(`repo${n}-path`) ?? (n === 1 && !type ? '/var/lib/pgbackrest' : undefined);
      if (repoPath && (!type || type === 'posix' || type === 'cifs')) paths.push(repoPath);
      const ca = option(`repo${n}-storage-ca-file`);
      if (ca) paths.push(ca);
    }
    return paths;
  }

  /** The object store of every repository on one (S3, GCS, Azure), with pgBackRest's default where none is set. */
  endpoints(): string[] {
    const option = this.repoOption();
    const found: string[] = [];
    for (let n = 1; n <= 256; n++) {
      const type = option(`repo${n}-type`);
      if (type === 's3') found.push(option(`repo${n}-s3-endpoint`) ?? '');
      if (type === 'gcs') found.push(option(`repo${n}-gcs-endpoint`) ?? 'storage.googleapis.com');
      if (type === 'azure') found.push(option(`repo${n}-azure-endpoint`) ?? 'blob.core.windows.net');
    }
    return found.filter(Boolean);
  }

  /** Options every call carries: the user's config and stanza, and state of pgBackRest's own kept in the work folder. */
  private common(ctx: SourceContext): string[] {
    const state = path.join(ctx.workDir, 'pgbackrest');
    for (const d of ['lock', 'log', 'spool']) {
      mkdirSync(path.join(state, d), { recursive: true, mode: 0o700 });
    }
    chownTree(state, ctx.serverUser);
    return [
      `--config=${this.config}`,
      `--stanza=${this.stanza}`,
      `--lock-path=${state}/lock`,
      `--log-path=${state}/log`,
      '--log-level-file=off',
      '--log-level-console=warn',
      ...(this.repo ? [`--repo=${this.repo}`] : []),
    ];
  }

  async inspect(ctx: SourceContext): Promise<ChosenBackup> {
    const stanza = await this.readInfo(ctx);
    this.inspected = stanza;
    if (!stanza || stanza.backup.length === 0) {
      throw new DrillConfigError([{ file: this.config, path: 'source.pgbackrest.stanza', message: `stanza ${this.stanza} has no backup${stanza?.status ? ` (${stanza.status.message})` : ''}`, fix: 'take a backup first, or name another stanza' }]);
    }
    const labels = stanza.backup.map((b) => b.label);
    const { label, chosenBy } = chooseBackup(labels, this.set, this.seed, 'source.pgbackrest.set');
    const b = stanza.backup.find((x) => x.label === label) as InfoBackup;
    const db = stanza.db.find((d) => d.id === b.database?.id) ?? stanza.db.at(-1);
    this.chosen = { db: b.database?.id, repo: this.repo ?? b.database?.['repo-key'] };
    const archive = this.archiveOf(stanza);
    return {
      label,
      chosenBy,
      location: `pgBackRest stanza ${this.stanza} (${this.config}${this.chosen.repo ? `, repo ${this.chosen.repo}` : ''}), ${b.type} backup`,
      pgMajor: Number.parseInt(db?.version ?? '0', 10),
      startTime: new Date(b.timestamp.start * 1000).toISOString(),
      stopTime: new Date(b.timestamp.stop * 1000).toISOString(),
      ...(b.lsn?.start ? { startLsn: b.lsn.start } : {}),
      ...(b.lsn?.stop ? { stopLsn: b.lsn.stop } : {}),
      sizeBytes: b.info?.repository?.size ?? b.info?.size ?? 0,
      restoredBytes: b.info?.size,
      ...(b.archive?.start && archive?.max ? { walRange: { first: b.archive.start, last: archive.max } } : {}),
      available: labels,
      archiveEnd: { newest: archive?.max },
      newestStopTime: new Date(Math.max(...stanza.backup.map((x) => x.timestamp.stop)) * 1000).toISOString(),
    };
  }

  async health(ctx: SourceContext): Promise<PipelineFinding[]> {
    const stanza = this.inspected ?? (await this.readInfo(ctx));
    const status = stanza?.status;
    if (!status) return [];
    return [
      status.code === 0
        ? passed('pgBackRest stanza', `stanza ${this.stanza}: ${status.message}; WAL archive ${this.archiveOf(stanza)?.min ?? '?'} to ${this.archiveOf(stanza)?.max ?? '?'}`)
        : failed('pgBackRest stanza', `stanza ${this.stanza}: ${status.message} (status ${status.code})`, `run pgbackrest --stanza=${this.stanza} check on the database host and fix what it reports`),
    ];
  }

  async newestSegment(ctx: SourceContext): Promise<string | undefined> {
    return this.archiveOf(await this.readInfo(ctx))?.max;
  }

  /**
   * The WAL archive of the chosen backup: the same database id (a stanza-upgrade starts a new one) in the same
   * repository (with several, each has its own); before a backup is chosen, the newest.
   */
  private archiveOf(stanza: InfoStanza | undefined): NonNullable<InfoStanza['archive']>[number] | undefined {
    const all = stanza?.archive ?? [];
    const { db, repo } = this.chosen;
    const own = all.filter((a) => (db === undefined || a.database?.id === undefined || a.database.id === db) && (repo === undefined || a.database?.['repo-key'] === undefined || a.database['repo-key'] === repo));
    return own.at(-1) ?? (db === undefined ? all.at(-1) : undefined);
  }

  private async readInfo(ctx: SourceContext): Promise<InfoStanza | undefined> {
    const r = await ctx.runner.run('pgbackrest', [...this.common(ctx), '--output=json', 'info'], { label: 'pgbackrest-info', asServerUser: true, allowFailure: true });
    if (r.exitCode !== 0) {
      throw new EnvironmentError(`pgbackrest info failed for stanza ${this.stanza} (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').at(-1) ?? ''}`, `check source.pgbackrest.config (${this.config}) and that the OS user running the servers can read it and the repository`);
    }
    return (JSON.parse(r.stdout) as InfoStanza[]).find((s) => s.name === this.stanza);
  }

  async restore(ctx: SourceContext, backup: ChosenBackup, request: RestoreRequest): Promise<RestorePlan> {
    const tablespaces = path.join(ctx.workDir, 'tablespaces');
    makeOwnedDir(tablespaces, ctx.serverUser);
    // The chosen backup's repository, for the restore and for every WAL segment after it.
    const common = [...this.common(ctx), ...(!this.repo && this.chosen.repo ? [`--repo=${this.chosen.repo}`] : [])];
    const dataDir = path.join(ctx.workDir, request.instanceName, 'data');
    // archive-get never queues into the user's spool (their config may say archive-async=y: it would write
    // <spool>/archive/<stanza>/in there); pgBackRest takes --spool-path only with async, so async is off.
    const get = [...common, `--pg1-path=${dataDir}`, '--no-archive-async'];
    // pgBackRest writes the command inside '...' in postgresql.auto.conf: quote with double quotes only.
    const restoreCommand = `pgbackrest ${get.map((o) => `"${o.replace(/["$`\\]/g, '\\$&')}"`).join(' ')} archive-get %f "%p"`;
    return pgbackrestRestore(ctx, request, {
      options: common,
      set: backup.label,
      label: 'pgbackrest-restore',
      extra: [
        // restore clears the archive-get queue in the spool: the user's, if not pointed here (archive-get itself
        // takes the option only with archive-async).
        `--spool-path=${path.join(ctx.workDir, 'pgbackrest', 'spool')}`,
        `--tablespace-map-all=${tablespaces}`,
        // The user's own restore settings would lead outside the work folder: links restored as links
        // (link-all, link-map) to their destinations, a tablespace map, a delta restore over what is there.
        '--no-link-all',
        '--reset-link-map',
        '--reset-tablespace-map',
        '--no-delta',
        `--recovery-option=restore_command=${restoreCommand}`,
      ],
    });
  }

  async version(ctx: SourceContext): Promise<string> {
    return (await ctx.runner.run('pgbackrest', ['version'], { label: 'pgbackrest-version' })).stdout.trim();
  }
}
