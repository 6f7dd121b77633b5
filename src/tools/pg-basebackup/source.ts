// A folder written by pg_basebackup (plain format, or -Ft with or without -z) and, optionally, the WAL archive
// folder its cluster archives into (segments plain or gzipped). pgdrill reads both and writes only into its
// work folder: the backup is copied or extracted there, tablespaces are remapped there, and the
// restore_command copies (or gunzips) segments out of the archive.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { RestorePlan, RestoreRequest } from '../backup-method.js';
import { folderSize } from '../common/folder-size.js';
import { continuity, segmentStartLsn, WAL_SEGMENT_BYTES } from '../common/wal-archive.js';
import { failed, passed, type PipelineFinding } from '../../pipeline/finding.js';
import { parseLsn } from '../../pg/lsn.js';
import { EnvironmentError } from '../../errors.js';
import type { BackupSource, ChosenBackup, SourceContext } from '../source.js';
import { backupFormat, restoreBaseBackup, type BackupFormat } from './restore.js';

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

  private format(): BackupFormat {
    return backupFormat(this.folder);
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

  restore(ctx: SourceContext, _backup: ChosenBackup, request: RestoreRequest): Promise<RestorePlan> {
    return restoreBaseBackup(ctx, request, { folder: this.folder, archive: this.walArchive });
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
