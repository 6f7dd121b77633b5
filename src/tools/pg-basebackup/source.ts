// A folder written by pg_basebackup (plain format, or -Ft with or without -z) and, optionally, the WAL archive
// folder its cluster archives into (segments plain or gzipped). pgdrill reads both and writes only into its
// work folder: the backup is copied or extracted there, tablespaces are remapped there, and the
// restore_command copies (or gunzips) segments out of the archive.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { RestorePlan, RestoreRequest } from '../backup-method.js';
import { folderSize } from '../common/folder-size.js';
import { continuityAcross, parseTimelineHistory, segmentStartLsn } from '../common/wal-archive.js';
import { controlFileTime, DEFAULT_SEGMENT_BYTES, walSegmentSize } from '../../pg/control-file.js';
import { labelTime, offsetOf } from '../../pg/label-time.js';
import { tarMembers } from './tar-member.js';
import { failed, passed, type PipelineFinding } from '../../pipeline/finding.js';
import { parseLsn } from '../../pg/lsn.js';
import { DrillFinding, EnvironmentError } from '../../errors.js';
import type { BackupSource, ChosenBackup, SourceContext } from '../source.js';
import { backupFormat, restoreBaseBackup, type BackupFormat } from './restore.js';

const SEGMENT_FILE = /^([0-9A-F]{24})(\.gz)?$/;

/** The files of the backup inspect reads. */
const INSPECTED = ['PG_VERSION', 'backup_label', 'global/pg_control'] as const;

export class BasebackupSource implements BackupSource {
  readonly kind = 'basebackup';

  constructor(
    private readonly folder: string,
    private readonly walArchive: string | undefined,
  ) {}

  /** What the backup's pg_control says, read once. */
  private facts: { segmentBytes: number; checkpointTime: Date | undefined } | undefined;
  /** A tar backup's files pgdrill reads, from one pass over the tarball. */
  private members: Promise<Map<string, Buffer>> | undefined;

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

  /** A file of the backup's data folder, read without extracting the whole backup (one pass over a tar backup). */
  private async fileOfBackup(name: (typeof INSPECTED)[number]): Promise<Buffer | undefined> {
    const format = this.format();
    if (format === 'plain') {
      const file = path.join(this.folder, name);
      return existsSync(file) ? readFileSync(file) : undefined;
    }
    const tarball = path.join(this.folder, format === 'tar' ? 'base.tar' : 'base.tar.gz');
    // A tarball that cannot be read to its end (cut short, corrupted) is a backup that does not restore: a finding.
    this.members ??= tarMembers(tarball, INSPECTED).catch((error: unknown) => {
      throw new DrillFinding(`the backup's ${path.basename(tarball)} cannot be read to its end (${(error as Error).message}): it does not restore`, `take a new base backup, and check how it is copied or shipped (compare its size and checksum with the original's)`);
    });
    return (await this.members).get(name);
  }

  /** The backup's own facts: its WAL segment size and the absolute time of its starting checkpoint (pg_control). */
  private async controlFacts(): Promise<{ segmentBytes: number; checkpointTime: Date | undefined }> {
    if (!this.facts) {
      const control = await this.fileOfBackup('global/pg_control');
      this.facts = { segmentBytes: (control && walSegmentSize(control)) ?? DEFAULT_SEGMENT_BYTES, checkpointTime: control ? controlFileTime(control) : undefined };
    }
    return this.facts;
  }

  async inspect(): Promise<ChosenBackup> {
    const format = this.format();
    const version = (await this.fileOfBackup('PG_VERSION'))?.toString('utf8').trim();
    if (!version || !/^\d+$/.test(version)) throw new EnvironmentError(`cannot read PG_VERSION from the backup in ${this.folder}`, 'check that the backup is complete');
    const label = (await this.fileOfBackup('backup_label'))?.toString('utf8') ?? '';
    const manifestFile = path.join(this.folder, 'backup_manifest');
    const manifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as { 'WAL-Ranges'?: Array<{ 'Start-LSN': string; 'End-LSN': string }> }) : undefined;
    const range = manifest?.['WAL-Ranges']?.[0];
    const startLsn = range?.['Start-LSN'] ?? /START WAL LOCATION: ([0-9A-F]+\/[0-9A-F]+)/.exec(label)?.[1];
    const times = this.backupTimes(label, (await this.controlFacts()).checkpointTime);
    const segments = this.segments();
    return {
      label: path.basename(this.folder),
      chosenBy: 'the folder named in source.basebackup.path',
      location: `${this.folder} (${format === 'plain' ? 'plain format' : format === 'tar' ? 'tar format' : 'tar format, gzip'})${this.walArchive ? `, WAL archive ${this.walArchive}` : ', no WAL archive'}`,
      pgMajor: Number(version),
      ...times,
      ...(startLsn ? { startLsn } : {}),
      ...(range ? { stopLsn: range['End-LSN'] } : {}),
      sizeBytes: folderSize(this.folder),
      ...(segments.length > 0 ? { walRange: { first: segments[0] as string, last: segments.at(-1) as string } } : {}),
      available: [path.basename(this.folder)],
    };
  }

  /**
   * When the backup started and finished. Not the files' times (a plain copy resets them): the start is the
   * backup's checkpoint in its pg_control (absolute), and backup_label's START TIME (the server's zone, an
   * abbreviation) is read the way that agrees with it; the end is the STOP TIME of the archive's .backup history
   * file, read in that same zone. Without one, the end is taken as the start (the age is then overstated by the
   * backup's duration, never understated).
   */
  private backupTimes(label: string, checkpoint: Date | undefined): { startTime?: string; stopTime?: string } {
    const startText = /^START TIME: (.+)$/m.exec(label)?.[1]?.trim();
    const start = startText && checkpoint ? (labelTime(startText, checkpoint) ?? checkpoint) : checkpoint;
    if (!start) return {};
    const stopText = this.historyFile(label) ? /^STOP TIME: (.+)$/m.exec(this.historyFile(label) ?? '')?.[1]?.trim() : undefined;
    const offset = startText ? offsetOf(startText, start) : undefined;
    const sameZone = stopText && startText && stopText.split(' ').at(-1) === startText.split(' ').at(-1);
    const stopLocal = stopText ? Date.parse(`${stopText.split(' ').slice(0, 2).join('T')}Z`) : NaN;
    const stop = sameZone && offset !== undefined && Number.isFinite(stopLocal) ? new Date(stopLocal - offset * 1000) : start;
    return { startTime: start.toISOString(), stopTime: stop.toISOString() };
  }

  /** The archive's .backup history file of this backup (named after its start segment and offset), if there. */
  private historyFile(label: string): string | undefined {
    const m = /^START WAL LOCATION: [0-9A-F]+\/([0-9A-F]+) \(file ([0-9A-F]{24})\)$/m.exec(label);
    if (!this.walArchive || !m) return undefined;
    const prefix = `${m[2]}.`;
    const file = readdirSync(this.walArchive).find((f) => f.startsWith(prefix) && /\.backup(\.gz)?$/.test(f));
    if (!file) return undefined;
    const bytes = readFileSync(path.join(this.walArchive, file));
    return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
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
    const { segmentBytes } = await this.controlFacts();
    return this.segments().reverse().find((s) => {
      const plain = path.join(archive, s);
      try {
        if (existsSync(plain)) return statSync(plain).size === segmentBytes;
        return gunzipSync(readFileSync(`${plain}.gz`)).length === segmentBytes;
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
    const segSize = BigInt((await this.controlFacts()).segmentBytes);
    // Across timeline switches (a promoted standby's archive): each timeline up to where its history says it ended.
    const timeline = Number.parseInt(newest.slice(0, 8), 16);
    const historyFile = readdirSync(this.walArchive).find((f) => f === `${newest.slice(0, 8)}.history` || f === `${newest.slice(0, 8)}.history.gz`);
    const historyBytes = historyFile ? readFileSync(path.join(this.walArchive, historyFile)) : undefined;
    const history = historyBytes ? parseTimelineHistory((historyFile?.endsWith('.gz') ? gunzipSync(historyBytes) : historyBytes).toString('utf8')) : [];
    const c = continuityAcross(new Set(this.segments()), timeline, history, parseLsn(backup.startLsn), parseLsn(segmentStartLsn(newest, segSize)), segSize);
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
