// A Barman server the user already has, through their own barman.conf: `list-backups` and `show-backup` tell
// the backups, `barman recover` (local, no ssh) restores the chosen one into the sandbox with the target and
// every tablespace remapped into the work folder, and the sandbox reads WAL through `barman get-wal`. Barman
// runs with a configuration derived from the user's (barman-config.ts), so it never writes into their home.
// https://docs.pgbarman.org/release/3.4.0/
import { existsSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { RestorePlan, RestoreRequest } from '../backup-method.js';
import { barmanRecover } from './recover.js';
import { segmentsBelow } from '../common/wal-archive.js';
import { DrillConfigError, EnvironmentError } from '../../errors.js';
import { chownTree, makeOwnedDir } from '../../exec/os-user.js';
import { barmanServerFolders, barmanServers, drillBarmanConfig } from './config.js';
import { iniValue } from '../common/ini.js';
import { chooseBackup } from '../common/choose-backup.js';
import type { BackupSource, ChosenBackup, SourceContext } from '../source.js';
import { failed, passed, warning, type PipelineFinding } from '../../pipeline/finding.js';

interface ListedBackup {
  backup_id: string;
  status: string;
  size_bytes?: number;
  end_time_timestamp?: string;
}

interface ShownBackup {
  backup_id: string;
  status: string;
  postgresql_version: number;
  base_backup_information: { begin_time: string; end_time: string; begin_time_timestamp?: string; end_time_timestamp?: string; begin_lsn: string; end_lsn: string; begin_wal: string; disk_usage_bytes?: number };
  tablespaces?: Array<{ name: string; location: string; oid: number }> | null;
}

export class BarmanSource implements BackupSource {
  readonly kind = 'barman';
  private conf = '';
  private files: string[] = [];
  private walsDir: string | undefined;
  private baseDir: string | undefined;
  private tablespaces: string[] = [];
  private streaming = false;

  constructor(
    private readonly config: string,
    private readonly server: string,
    private readonly backup: string,
    private readonly seed: number | undefined,
  ) {}

  /**
   * `barman check` and `barman status` of the server, through the derived configuration (so nothing lands in
   * barman_home). barman check creates a server's missing base and wals folders: when either is missing, it is
   * not run (that would write into the user's barman_home) and the missing folder is the finding.
   */
  async health(ctx: SourceContext): Promise<PipelineFinding[]> {
    const missing = [this.baseDir, this.walsDir].filter((d): d is string => typeof d === 'string' && !existsSync(d));
    if (missing.length > 0 || !this.baseDir || !this.walsDir) {
      return [failed('barman check', `not run: the server's folders ${missing.join(', ') || '(unknown)'} do not exist, and barman check would create them in barman_home`, `check barman_home and the server section of ${this.config}, then run barman check ${this.server} on the Barman host`)];
    }
    const conf = this.prepare(ctx);
    const json = async (cmd: string) => {
      const r = await ctx.runner.run('barman', ['-c', conf, '-f', 'json', cmd, this.server], { label: `barman-${cmd}`, asServerUser: true, allowFailure: true });
      try {
        return (JSON.parse(r.stdout) as Record<string, Record<string, { status?: string; hint?: string; message?: string; description?: string }>>)[this.server] ?? {};
      } catch {
        return undefined;
      }
    };
    const checks = await json('check');
    if (!checks) return [failed('barman check', `barman check ${this.server} gave no readable answer`, `run barman check ${this.server} on the Barman host`)];
    // receive-wal's lock is in barman_lock_directory, which the derived configuration points into the work folder
    // (so pgdrill never writes the user's locks): from here a running receive-wal cannot be seen.
    const unseen = ['receive-wal running', 'receive_wal_running'];
    const bad = Object.entries(checks).filter(([name, c]) => c.status !== 'OK' && !unseen.includes(name));
    const findings: PipelineFinding[] = bad.length
      ? bad.map(([name, c]) => failed(`barman check: ${name.replace(/_/g, ' ')}`, `${name}: ${c.status ?? '?'}${c.hint ? ` (${c.hint})` : ''}`, `run barman check ${this.server} on the Barman host and fix ${name.replace(/_/g, ' ')}`))
      : [passed('barman check', `all ${Object.keys(checks).length - Object.keys(checks).filter((n) => unseen.includes(n)).length} checks OK for server ${this.server}`)];
    if (Object.keys(checks).some((n) => unseen.includes(n))) {
      findings.push(warning('barman check: receive-wal running', 'not checked from the drill host: the receive-wal lock is in barman_lock_directory on the Barman host, and pgdrill keeps Barman\'s locks in its own work folder', `run barman check ${this.server} on the Barman host`));
    }
    const status = await json('status');
    if (status) {
      const say = (k: string) => status[k]?.message;
      findings.push(passed('barman status', `${say('backups_number') ?? '?'} backup(s), first ${say('first_backup') ?? '?'}, last ${say('last_backup') ?? '?'}; minimum redundancy ${say('minimum_redundancy') ?? '?'}; retention ${say('retention_policies') ?? '?'}; PostgreSQL ${say('pg_version') ?? '?'}`));
    }
    return findings;
  }

  streamsWal(): boolean {
    return this.streaming;
  }

  readOnlyPaths(): string[] {
    return [this.config, ...this.files];
  }

  /** The configuration, its included files and barman_home (where every server's backups and WAL live). */
  /** Files on this host only. */
  endpoints(): string[] {
    return [];
  }

  inputPaths(): string[] {
    const { global, servers } = barmanServers(this.config);
    return [...new Set([this.config, ...servers.map((s) => s.file), iniValue(global.lines, 'barman_home') ?? '/var/lib/barman'])];
  }

  /** Writes the derived configuration into the work folder (once per drill). */
  private prepare(ctx: SourceContext): string {
    if (this.conf) return this.conf;
    const dir = path.join(ctx.workDir, 'barman');
    for (const d of ['', 'lock', 'incoming', 'streaming', 'errors', 'staging']) makeOwnedDir(path.join(dir, d), ctx.serverUser);
    const derived = drillBarmanConfig(this.config, this.server, { dir, user: ctx.serverUser?.name ?? userInfo().username });
    this.files = derived.files;
    this.conf = path.join(dir, 'barman.conf');
    writeFileSync(this.conf, derived.text, { mode: 0o600 });
    chownTree(dir, ctx.serverUser);
    return this.conf;
  }

  private async barman(ctx: SourceContext, args: string[], label: string) {
    const r = await ctx.runner.run('barman', ['-c', this.prepare(ctx), ...args], { label, asServerUser: true, allowFailure: true });
    if (r.exitCode !== 0) {
      throw new EnvironmentError(
        `barman ${args.filter((a) => !a.startsWith('-')).join(' ')} failed for server ${this.server} (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').at(-1) ?? ''}`,
        `check source.barman.config (${this.config}) and that the OS user running the servers can read barman_home`,
      );
    }
    return r.stdout;
  }

  async inspect(ctx: SourceContext): Promise<ChosenBackup> {
    // list-backups, show-backup, check and get-wal create the WAL catalog when it is missing: in the user's
    // wals_directory. Refused before the first barman command, from the folders the configuration names.
    this.refuseMissingCatalog(barmanServerFolders(this.config, this.server)?.walsDir);
    const listed = (JSON.parse(await this.barman(ctx, ['-f', 'json', 'list-backups', this.server], 'barman-list-backups')) as Record<string, ListedBackup[]>)[this.server] ?? [];
    const done = listed.filter((b) => b.status === 'DONE').map((b) => b.backup_id).sort();
    if (done.length === 0) {
      throw new DrillConfigError([{ file: this.config, path: 'source.barman.server', message: `Barman server ${this.server} has no complete backup${listed.length ? ` (${listed.map((b) => `${b.backup_id} ${b.status}`).join(', ')})` : ''}`, fix: `take one first: barman backup ${this.server}` }]);
    }
    const { label, chosenBy } = chooseBackup(done, this.backup, this.seed, 'source.barman.backup');
    const server = (JSON.parse(await this.barman(ctx, ['-f', 'json', 'show-server', this.server], 'barman-show-server')) as Record<string, Record<string, unknown>>)[this.server] ?? {};
    this.walsDir = typeof server['wals_directory'] === 'string' ? server['wals_directory'] : undefined;
    this.baseDir = typeof server['basebackups_directory'] === 'string' ? server['basebackups_directory'] : undefined;
    this.streaming = [true, 'true', 'on', 'True'].includes(server['streaming_archiver'] as string);
    this.refuseMissingCatalog(this.walsDir);
    const shown = (JSON.parse(await this.barman(ctx, ['-f', 'json', 'show-backup', this.server, label], 'barman-show-backup')) as Record<string, ShownBackup>)[this.server] as ShownBackup;
    this.tablespaces = (shown.tablespaces ?? []).map((t) => t.name);
    const info = shown.base_backup_information;
    const newest = this.segments().at(-1);
    return {
      label,
      chosenBy,
      location: `Barman server ${this.server} (${this.config}), backup_method ${String(server['backup_method'] ?? 'unknown')}`,
      pgMajor: Math.floor(shown.postgresql_version / 10000),
      // The epoch seconds Barman gives beside each time: its text is in the database's time zone.
      startTime: barmanTime(info.begin_time_timestamp, info.begin_time),
      stopTime: barmanTime(info.end_time_timestamp, info.end_time),
      startLsn: info.begin_lsn,
      stopLsn: info.end_lsn,
      sizeBytes: info.disk_usage_bytes ?? listed.find((b) => b.backup_id === label)?.size_bytes ?? 0,
      restoredBytes: info.disk_usage_bytes,
      ...(newest ? { walRange: { first: info.begin_wal, last: newest } } : {}),
      available: done,
      newestStopTime: newestEnd(listed),
    };
  }

  private refuseMissingCatalog(walsDir: string | undefined): void {
    if (walsDir && existsSync(walsDir) && !existsSync(path.join(walsDir, 'xlog.db'))) {
      throw new EnvironmentError(
        `Barman's WAL catalog ${path.join(walsDir, 'xlog.db')} is missing: barman would create it there, in your archive, and pgdrill never writes there`,
        `run barman rebuild-xlogdb ${this.server} (or barman cron) on the Barman host, then drill again`,
      );
    }
  }

  /** Segments in Barman's WAL archive (read from the folder, never through a command that could archive). */
  private segments(): string[] {
    return this.walsDir ? segmentsBelow(this.walsDir).sort() : [];
  }

  async newestSegment(): Promise<string | undefined> {
    return this.segments().at(-1);
  }

  restore(ctx: SourceContext, backup: ChosenBackup, request: RestoreRequest): Promise<RestorePlan> {
    return barmanRecover(ctx, request, { barman: (args, label) => this.barman(ctx, args, label), conf: this.prepare(ctx), server: this.server, backupId: backup.label, tablespaces: this.tablespaces, partial: false, label: 'barman-recover' });
  }

  async version(ctx: SourceContext): Promise<string> {
    const r = await ctx.runner.run('barman', ['--version'], { label: 'barman-version' });
    return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
  }
}


/** A time of Barman's JSON: from its epoch seconds when given, else its ISO text with the offset. */
function barmanTime(epoch: string | undefined, text: string): string {
  return epoch ? new Date(Number(epoch) * 1000).toISOString() : new Date(text.replace(' ', 'T')).toISOString();
}

function newestEnd(listed: ListedBackup[]): string | undefined {
  const ends = listed.filter((b) => b.status === 'DONE' && b.end_time_timestamp).map((b) => Number(b.end_time_timestamp));
  return ends.length ? new Date(Math.max(...ends) * 1000).toISOString() : undefined;
}
