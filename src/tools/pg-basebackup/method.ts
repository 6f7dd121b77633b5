// pg_basebackup: a plain-format base backup with streamed WAL (-Xs) and a fast checkpoint, verified with
// pg_verifybackup (which cannot read -Ft tar backups in PG 15, docs/postgres-facts.md #8), plus the run's WAL archive.
import { readFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PostgresInstance } from '../../providers/provider.js';
import { parseLsn } from '../../pg/lsn.js';
import type { CheckResult } from '../../model/check-result.js';
import { PgdrillError } from '../../errors.js';
import type { BackupArtifact, BackupContext, BackupDamage, BackupMethod, RestorePlan, RestoreRequest, WalContinuity, MethodFacts } from '../backup-method.js';
import { flipBytes, FLIPPED_BYTES, largestDataFile } from '../common/flip-bytes.js';
import { folderSize } from '../common/folder-size.js';
import { restoreBaseBackup } from './restore.js';
import { archiveCommand, archiveContinuity, newestArchivedLsn, switchAndWaitArchived, WAL_SEGMENT_BYTES } from '../common/wal-archive.js';
import { makeOwnedDir } from '../../exec/os-user.js';

/** pgdrill's primaries use initdb's default segment size. */

/** A plain backup is the data folder: its size is what a restore writes. */
const sized = (bytes: number) => ({ sizeBytes: bytes, dataBytes: bytes });

interface ManifestWalRange {
  Timeline: number;
  'Start-LSN': string;
  'End-LSN': string;
}

export class PgBasebackupMethod implements BackupMethod {
  static readonly facts: MethodFacts = { pointInTime: true, removableWal: true, damageableBackup: true };
  readonly name: string = 'pg_basebackup';

  primarySettings(ctx: BackupContext): Record<string, string> {
    return { archive_mode: 'on', archive_command: archiveCommand(ctx.archiveDir) };
  }

  async takeBackup(ctx: BackupContext, primary: PostgresInstance): Promise<BackupArtifact> {
    const location = path.join(ctx.workDir, 'backup');
    makeOwnedDir(location, ctx.serverUser);
    const started = performance.now();
    await ctx.runner.run(
      ctx.provider.tool('pg_basebackup'),
      ['-h', primary.host, '-p', String(primary.port), '-U', 'postgres', '-w', '-D', location, '-Fp', '-Xs', '--checkpoint=fast', '-l', 'pgdrill'],
      { label: 'pg_basebackup', asServerUser: true, env: { PGPASSWORD: String(primary.connection.password) } },
    );
    const seconds = (performance.now() - started) / 1000;
    const manifest = JSON.parse(readFileSync(path.join(location, 'backup_manifest'), 'utf8')) as { 'WAL-Ranges'?: ManifestWalRange[] };
    const range = manifest['WAL-Ranges']?.[0];
    return {
      method: this.name,
      location,
      ...(range ? { startLsn: range['Start-LSN'], endLsn: range['End-LSN'], timeline: range.Timeline } : {}),
      ...sized(folderSize(location)),
      seconds,
    };
  }

  async verify(ctx: BackupContext, backup: BackupArtifact): Promise<CheckResult> {
    const result = await ctx.runner.run(ctx.provider.tool('pg_verifybackup'), [backup.location], {
      label: 'pg_verifybackup',
      asServerUser: true,
      allowFailure: true,
    });
    const output = (result.stdout + result.stderr).trim();
    return {
      name: 'backup-verified',
      status: result.exitCode === 0 ? 'passed' : 'failed',
      detail: result.exitCode === 0 ? `pg_verifybackup: ${output || 'backup successfully verified'}` : `pg_verifybackup exit ${result.exitCode}: ${output}`,
    };
  }

  archiveThrough(ctx: BackupContext, primary: PostgresInstance, lsn: string, deadlineMs: number) {
    return switchAndWaitArchived(primary, ctx.archiveDir, lsn, deadlineMs, ctx.signal);
  }

  async walContinuity(ctx: BackupContext, backup: BackupArtifact, untilLsn: string): Promise<WalContinuity> {
    return archiveContinuity(ctx.archiveDir, backup.timeline ?? 1, parseLsn(backup.startLsn ?? '0/0'), parseLsn(untilLsn), WAL_SEGMENT_BYTES);
  }

  async archiveEnd(ctx: BackupContext): Promise<string | undefined> {
    return newestArchivedLsn(ctx.archiveDir, 1, WAL_SEGMENT_BYTES);
  }

  restore(ctx: BackupContext, backup: BackupArtifact, request: RestoreRequest): Promise<RestorePlan> {
    return restoreBaseBackup(ctx, request, { folder: backup.location, archive: ctx.archiveDir });
  }

  async removeArchivedSegment(ctx: BackupContext, segment: string): Promise<string> {
    const file = path.join(ctx.archiveDir, segment);
    unlinkSync(file);
    return file;
  }

  /** Flips bytes in the middle of the backup's largest relation file: pg_verifybackup's manifest checksum must catch it. */
  async damageBackup(_ctx: BackupContext, backup: BackupArtifact): Promise<BackupDamage> {
    const victim = largestDataFile(backup.location);
    if (!victim || victim.size < 64) throw new PgdrillError(`no data file to corrupt in ${path.join(backup.location, 'base')}`);
    const offset = Math.floor(victim.size / 2);
    flipBytes(victim.file, offset, FLIPPED_BYTES);
    return { file: path.relative(backup.location, victim.file), where: victim.file, offset, bytes: FLIPPED_BYTES };
  }

  async version(ctx: BackupContext): Promise<string> {
    const r = await ctx.runner.run(ctx.provider.tool('pg_basebackup'), ['--version'], { label: 'pg_basebackup-version' });
    return r.stdout.trim();
  }
}
