// A folder written by pg_basebackup (plain format, or -Ft with or without -z) and, optionally, the WAL archive
// folder its cluster archives into (segments plain or gzipped). pgdrill reads both and writes only into its
// work folder: the backup is copied or extracted there, tablespaces are remapped there, and the
// restore_command copies (or gunzips) segments out of the archive.
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { RestorePlan, RestoreRequest } from '../backup-method.js';
import { folderSize } from '../common/folder-size.js';
import { continuity, segmentStartLsn, WAL_SEGMENT_BYTES } from '../common/wal-archive.js';
import { failed, passed, type PipelineFinding } from '../../pipeline/finding.js';
import { parseLsn } from '../../pg/lsn.js';
import { EnvironmentError } from '../../errors.js';
import { makeOwnedDir } from '../../exec/os-user.js';
import { targetSettings } from '../../pg/recovery-target.js';
import type { BackupSource, ChosenBackup, SourceContext } from '../source.js';

type Format = 'plain' | 'tar' | 'tar.gz';

const SEGMENT_FILE = /^([0-9A-F]{24})(\.gz)?$/;

export class BasebackupSource implements BackupSource {
  readonly kind = 'basebackup';

  constructor(
    private readonly folder: string,
    private readonly walArchive: string | undefined,
  ) {}

  readOnlyPaths(): string[] {
    return [this.folder, ...(this.walArchive ? [this.walArchive] : [])];
  }

  /** Files on this host only. */
  endpoints(): string[] {
    return [];
  }

  inputPaths(): string[] {
    return this.readOnlyPaths();
  }

  private format(): Format {
    if (existsSync(path.join(this.folder, 'base.tar.gz'))) return 'tar.gz';
    if (existsSync(path.join(this.folder, 'base.tar'))) return 'tar';
    if (existsSync(path.join(this.folder, 'PG_VERSION'))) return 'plain';
    throw new EnvironmentError(
      `${this.folder} is not a pg_basebackup folder: no PG_VERSION (plain format) and no base.tar or base.tar.gz (-Ft)`,
      'point source.basebackup.path at the folder pg_basebackup -D wrote',
    );
  }

  /** A file of the backup's data folder, read without extracting the whole backup. */
  private async fileOfBackup(ctx: SourceContext, name: string): Promise<string | undefined> {
    const format = this.format();
    if (format === 'plain') {
      const file = path.join(this.folder, name);
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    }
    const tarball = path.join(this.folder, format === 'tar' ? 'base.tar' : 'base.tar.gz');
    const r = await ctx.runner.run('tar', [format === 'tar' ? '-xOf' : '-xzOf', tarball, name], { label: `read-${name}`, allowFailure: true });
    return r.exitCode === 0 ? r.stdout : undefined;
  }

  async inspect(ctx: SourceContext): Promise<ChosenBackup> {
    const format = this.format();
    const version = (await this.fileOfBackup(ctx, 'PG_VERSION'))?.trim();
    if (!version || !/^\d+$/.test(version)) throw new EnvironmentError(`cannot read PG_VERSION from the backup in ${this.folder}`, 'check that the backup is complete');
    const label = (await this.fileOfBackup(ctx, 'backup_label')) ?? '';
    const manifestFile = path.join(this.folder, 'backup_manifest');
    const manifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as { 'WAL-Ranges'?: Array<{ 'Start-LSN': string; 'End-LSN': string }> }) : undefined;
    const range = manifest?.['WAL-Ranges']?.[0];
    const start = /START TIME: (.+)/.exec(label)?.[1]?.trim();
    const segments = this.segments();
    return {
      label: path.basename(this.folder),
      chosenBy: 'the folder named in source.basebackup.path',
      location: `${this.folder} (${format === 'plain' ? 'plain format' : format === 'tar' ? 'tar format' : 'tar format, gzip'})${this.walArchive ? `, WAL archive ${this.walArchive}` : ', no WAL archive'}`,
      pgMajor: Number(version),
      ...(start ? { startTime: start } : {}),
      // pg_basebackup writes backup_manifest last: its time is when the backup finished.
      ...(existsSync(manifestFile) ? { stopTime: statSync(manifestFile).mtime.toISOString() } : {}),
      ...(range ? { startLsn: range['Start-LSN'], stopLsn: range['End-LSN'] } : { startLsn: /START WAL LOCATION: ([0-9A-F]+\/[0-9A-F]+)/.exec(label)?.[1] }),
      sizeBytes: folderSize(this.folder),
      ...(segments.length > 0 ? { walRange: { first: segments[0] as string, last: segments.at(-1) as string } } : {}),
      available: [path.basename(this.folder)],
    };
  }

  /** Archived segment names (without .gz), sorted. */
  private segments(): string[] {
    if (!this.walArchive) return [];
    return readdirSync(this.walArchive)
      .map((f) => SEGMENT_FILE.exec(f)?.[1])
      .filter((s): s is string => Boolean(s))
      .sort();
  }

  /**
   * The newest segment whose file is complete: an archive_command like `gzip -c %p > archive/%f.gz` creates the
   * file before it has written it, and a half-written segment is not archived yet.
   */
  async newestSegment(): Promise<string | undefined> {
    const archive = this.walArchive;
    if (!archive) return undefined;
    return this.segments().reverse().find((s) => {
      const plain = path.join(archive, s);
      try {
        if (existsSync(plain)) return statSync(plain).size === Number(WAL_SEGMENT_BYTES);
        return gunzipSync(readFileSync(`${plain}.gz`)).length === Number(WAL_SEGMENT_BYTES);
      } catch {
        return false;
      }
    });
  }

  async restore(ctx: SourceContext, backup: ChosenBackup, request: RestoreRequest): Promise<RestorePlan> {
    const instanceDir = path.join(ctx.workDir, request.instanceName);
    const dataDir = path.join(instanceDir, 'data');
    const tablespaces = path.join(ctx.workDir, 'tablespaces');
    makeOwnedDir(instanceDir, ctx.serverUser);
    makeOwnedDir(tablespaces, ctx.serverUser);
    const format = this.format();
    const run = (label: string, file: string, args: string[]) => ctx.runner.run(file, args, { label, asServerUser: true });
    if (format === 'plain') {
      await run('copy-backup', 'cp', ['-a', this.folder, dataDir]);
      // pg_basebackup --waldir leaves pg_wal a link to the backup host's WAL folder: the sandbox gets its own copy,
      // or the server (and WAL placed ahead of replay) would write there.
      const wal = path.join(dataDir, 'pg_wal');
      if (lstatSync(wal).isSymbolicLink()) {
        const target = path.resolve(this.folder, readlinkSync(wal));
        await run('unlink-waldir', 'rm', [wal]);
        await run('copy-waldir', 'cp', ['-a', `${target}/.`, wal]);
      }
      // Tablespaces of a plain backup live where their links point (absolute paths of the source host): copy
      // each into the work folder and point the copy's link there, so nothing outside it is ever written.
      const tblspc = path.join(dataDir, 'pg_tblspc');
      for (const oid of existsSync(tblspc) ? readdirSync(tblspc) : []) {
        const target = path.join(tablespaces, oid);
        await run(`copy-tablespace-${oid}`, 'cp', ['-a', `${path.join(this.folder, 'pg_tblspc', oid)}/.`, target]);
        await run(`relink-tablespace-${oid}`, 'ln', ['-sfn', target, path.join(tblspc, oid)]);
      }
    } else {
      const gz = format === 'tar.gz';
      const ext = gz ? '.tar.gz' : '.tar';
      makeOwnedDir(dataDir, ctx.serverUser);
      await run('extract-base', 'tar', [gz ? '-xzf' : '-xf', path.join(this.folder, `base${ext}`), '-C', dataDir]);
      if (existsSync(path.join(this.folder, `pg_wal${ext}`))) await run('extract-wal', 'tar', [gz ? '-xzf' : '-xf', path.join(this.folder, `pg_wal${ext}`), '-C', path.join(dataDir, 'pg_wal')]);
      // -Ft writes each tablespace as <oid>.tar[.gz] and lists the original paths in tablespace_map; recovery
      // creates the links from that file, so it is rewritten to the work folder's copies.
      const oids = readdirSync(this.folder).filter((f) => new RegExp(`^\\d+${ext.replace(/\./g, '\\.')}$`).test(f)).map((f) => f.slice(0, -ext.length));
      for (const oid of oids) {
        makeOwnedDir(path.join(tablespaces, oid), ctx.serverUser);
        await run(`extract-tablespace-${oid}`, 'tar', [gz ? '-xzf' : '-xf', path.join(this.folder, `${oid}${ext}`), '-C', path.join(tablespaces, oid)]);
      }
      if (oids.length > 0) {
        const map = oids.map((oid) => `${oid} ${path.join(tablespaces, oid)}`).join('\n');
        await run('rewrite-tablespace-map', 'sh', ['-c', `printf '%s\\n' "$1" > "$2"`, 'sh', map, path.join(dataDir, 'tablespace_map')]);
      }
    }
    const settings: Record<string, string> = { archive_mode: 'off' };
    if (this.walArchive) {
      await run('recovery-signal', 'touch', [path.join(dataDir, 'recovery.signal')]);
      Object.assign(settings, targetSettings(request.target, request.timeline), { restore_command: restoreCommand(this.walArchive) });
    }
    return { kind: 'physical', dataDir, settings, ...(this.walArchive ? { archiveFolder: this.walArchive } : {}) };
  }

  /** The archive holds every segment from the backup's start to its newest one (a hole ends recovery there). */
  async health(_ctx: SourceContext, backup: ChosenBackup): Promise<PipelineFinding[]> {
    const newest = await this.newestSegment();
    if (!this.walArchive || !backup.startLsn || !newest) return [];
    const c = continuity(new Set(this.segments()), Number.parseInt(newest.slice(0, 8), 16), parseLsn(backup.startLsn), parseLsn(segmentStartLsn(newest)), WAL_SEGMENT_BYTES);
    return [
      c.continuous
        ? passed('WAL archive continuous', `every segment from ${c.firstSegment} (the backup's start) to ${c.lastSegment} is in ${this.walArchive}`)
        : failed('WAL archive continuous', `segment ${c.missingSegment} is missing from ${this.walArchive}: recovery from this backup stops at ${c.lastContiguousLsn}, everything after is lost`, 'find out why archive_command skipped it (server log); take a new base backup so that restores do not depend on the hole'),
    ];
  }

  async version(): Promise<string> {
    return 'pg_basebackup folder';
  }
}

/** Copies a segment (or history file) out of the archive, plain or gzipped; never writes into the archive. */
export function restoreCommand(archive: string): string {
  const a = archive.replace(/'/g, `'\\''`);
  return `if [ -f '${a}/%f' ]; then cp '${a}/%f' '%p'; elif [ -f '${a}/%f.gz' ]; then gunzip -c '${a}/%f.gz' > '%p'; else exit 1; fi`;
}
