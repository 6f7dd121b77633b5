// barman-cloud, the way the backup guides ship PostgreSQL to object storage: archive_command =
// barman-cloud-wal-archive, barman-cloud-backup for the base backup, barman-cloud-backup-show as its check, then
// barman-cloud-restore and barman-cloud-wal-restore as the restore_command, every point-in-time target set by
// pgdrill. The drill writes as its own server (pgdrill-<work folder>) below the destination and deletes every
// object of it when the drill ends. Credentials come from the environment (AWS_*, a profile) and reach the
// server only through scripts of the work folder. https://docs.pgbarman.org/release/3.4.0/barman-cloud.html
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeOwnedDir } from '../../exec/os-user.js';
import { processesWith } from '../../exec/processes.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PostgresInstance } from '../../providers/provider.js';
import { parseLsn } from '../../pg/lsn.js';
import type { CheckResult } from '../../model/check-result.js';
import { processReadProgress } from '../common/backup-progress.js';
import type { BackupArtifact, BackupContext, BackupDamage, BackupMethod, BackupOptions, BackupProgress, MethodFacts, RestorePlan, RestoreRequest, WalContinuity } from '../backup-method.js';
import { BarmanCloudCli } from './cli.js';
import { FLIPPED_BYTES } from '../common/flip-bytes.js';
import { folderSize } from '../common/folder-size.js';
import { continuity, newestSegmentLsn, waitForSegment, WAL_SEGMENT_BYTES } from '../common/wal-archive.js';

interface Shown {
  backup_id: string;
  status: string;
  begin_xlog: string;
  end_xlog: string;
  timeline: number;
}

export class BarmanCloudMethod implements BackupMethod {
  static readonly facts: MethodFacts = { pointInTime: true, removableWal: true, damageableBackup: true, options: { cloud: 'required' } };
  readonly name = 'barman-cloud';
  private cli: BarmanCloudCli | undefined;
  private password = '';
  private archiveChecked: string | undefined;
  /** Set once the drill may have written to the destination: its server is deleted when the drill ends. */
  private written: BackupContext | undefined;

  constructor(private readonly options: BackupOptions = {}) {}

  private tools(ctx: BackupContext): string {
    return path.join(ctx.workDir, 'barman-cloud');
  }

  /** Once it exists, the primary's archive_command ships nothing more (the drill is deleting its objects). */
  private stopFile(ctx: BackupContext): string {
    return path.join(this.tools(ctx), 'stop');
  }

  private client(ctx: BackupContext): BarmanCloudCli {
    const cloud = this.options.cloud;
    if (!cloud) throw new Error('backup.cloud is required for barman-cloud (the schema makes sure)');
    if (!this.cli) {
      this.cli = new BarmanCloudCli({ ...cloud, server: `pgdrill-${path.basename(ctx.workDir)}` }, process.env);
      for (const secret of this.cli.secrets()) ctx.runner.addSecret(secret);
    }
    return this.cli;
  }

  primarySettings(ctx: BackupContext): Record<string, string> {
    makeOwnedDir(this.tools(ctx), ctx.serverUser);
    const cli = this.client(ctx);
    const script = cli.writeScript(path.join(this.tools(ctx), 'wal-archive.sh'), ctx.serverUser, 'barman-cloud-wal-archive', [cli.where.destination, cli.where.server], this.stopFile(ctx));
    this.written = ctx;
    return { archive_mode: 'on', archive_command: `${script} %p` };
  }

  async prepare(ctx: BackupContext, primary: PostgresInstance): Promise<void> {
    this.password = String(primary.connection.password);
    const cli = this.client(ctx);
    // Reaches the destination with these credentials before anything is written (-t: test connectivity).
    await cli.run(ctx.runner, ctx.serverUser, 'barman-cloud-backup', ['-t', ...cli.options(), cli.where.destination, cli.where.server], 'barman-cloud-test');
    // Barman's own guard before a new server archives: no WAL of another cluster under this name.
    await cli.run(ctx.runner, ctx.serverUser, 'barman-cloud-check-wal-archive', [...cli.options(), cli.where.destination, cli.where.server], 'barman-cloud-check-wal-archive');
    this.archiveChecked = `barman-cloud-check-wal-archive: ${cli.where.destination} holds no WAL for server ${cli.where.server} before the drill archives (safe for a new cluster)`;
  }

  async extraChecks(): Promise<CheckResult[]> {
    return this.archiveChecked ? [{ name: 'barman-cloud WAL archive safe for a new server', status: 'passed', detail: this.archiveChecked }] : [];
  }

  /** barman-cloud-backup says nothing while it runs: the bytes its process has read of the data folder. */
  backupProgress(ctx: BackupContext, primary: PostgresInstance): BackupProgress {
    return processReadProgress(primary, ['barman-cloud-backup', this.client(ctx).where.server]);
  }

  async takeBackup(ctx: BackupContext, primary: PostgresInstance): Promise<BackupArtifact> {
    const cli = this.client(ctx);
    const started = performance.now();
    const conn = ['-h', primary.socketDir ?? primary.host, '-p', String(primary.port), '-U', 'postgres'];
    await ctx.runner.run('barman-cloud-backup', [...cli.options(), ...conn, cli.where.destination, cli.where.server], {
      label: 'barman-cloud-backup',
      asServerUser: true,
      env: { ...cli.cloudEnv(ctx.serverUser), PGPASSWORD: this.password },
    });
    const seconds = (performance.now() - started) / 1000;
    const listed = JSON.parse(await cli.run(ctx.runner, ctx.serverUser, 'barman-cloud-backup-list', ['--format=json', ...cli.options(), cli.where.destination, cli.where.server], 'barman-cloud-backup-list')) as { backups_list?: Shown[] };
    const b = listed.backups_list?.at(-1);
    return { method: this.name, location: b?.backup_id ?? '', ...(b ? { startLsn: b.begin_xlog, endLsn: b.end_xlog } : {}), timeline: b?.timeline ?? 1, sizeBytes: 0, seconds };
  }

  async verify(ctx: BackupContext, backup: BackupArtifact): Promise<CheckResult> {
    const cli = this.client(ctx);
    const shown = Object.values(JSON.parse(await cli.run(ctx.runner, ctx.serverUser, 'barman-cloud-backup-show', ['--format=json', ...cli.options(), cli.where.destination, cli.where.server, backup.location], 'barman-cloud-backup-show')) as Record<string, Shown>)[0];
    return {
      name: 'backup-verified',
      status: shown?.status === 'DONE' ? 'passed' : 'failed',
      detail: `barman-cloud-backup-show ${backup.location}: status ${shown?.status ?? 'unknown'} (the catalog's word: barman-cloud has no content verification; the restore proves the rest)`,
    };
  }

  private segments(ctx: BackupContext): Promise<string[]> {
    return this.client(ctx).walSegments(ctx.runner, ctx.serverUser);
  }

  archiveThrough(ctx: BackupContext, primary: PostgresInstance, lsn: string, deadlineMs: number) {
    return waitForSegment(primary, lsn, () => this.segments(ctx), deadlineMs, ctx.signal, undefined, 500);
  }

  async walContinuity(ctx: BackupContext, backup: BackupArtifact, untilLsn: string): Promise<WalContinuity> {
    return continuity(new Set(await this.segments(ctx)), 1, parseLsn(backup.startLsn ?? '0/0'), parseLsn(untilLsn), WAL_SEGMENT_BYTES);
  }

  async archiveEnd(ctx: BackupContext): Promise<string | undefined> {
    return newestSegmentLsn(await this.segments(ctx), 1, WAL_SEGMENT_BYTES);
  }

  async restore(ctx: BackupContext, backup: BackupArtifact, request: RestoreRequest): Promise<RestorePlan> {
    const plan = await this.client(ctx).restore(ctx, request, backup.location, [], `barman-cloud-restore-${request.instanceName}`);
    if (!backup.sizeBytes) backup.sizeBytes = folderSize(plan.dataDir); // barman-cloud does not record the size: what was downloaded
    return plan;
  }

  removeArchivedSegment(ctx: BackupContext, segment: string): Promise<string> {
    return this.client(ctx).deleteWal(ctx.runner, ctx.serverUser, segment);
  }

  /**
   * Flips bytes inside the largest relation file of the backup's data.tar, tar headers intact: barman-cloud keeps
   * no checksum of the files, so only the restore and pgdrill's integrity pass (data checksums) can find it.
   */
  async damageBackup(ctx: BackupContext, backup: BackupArtifact): Promise<BackupDamage> {
    const done = await this.client(ctx).damageBackup(ctx.runner, ctx.serverUser, backup.location, this.tools(ctx));
    return { file: done.member, where: `${this.client(ctx).address(done.key)} (tar member ${done.member})`, offset: done.offset, bytes: FLIPPED_BYTES };
  }

  /** Every object of the drill's server in the destination goes: base backups and WAL. */
  async dispose(): Promise<void> {
    const ctx = this.written;
    this.written = undefined;
    if (!ctx || !this.cli) return;
    writeFileSync(this.stopFile(ctx), '');
    // A push already under way finishes first (bounded), so nothing lands after the delete.
    for (let i = 0; i < 300 && (processesWith('barman-cloud-wal-archive', this.cli.where.server)?.length ?? 0) > 0; i++) await sleep(100);
    await this.cli.deleteServer(ctx.runner.withoutAbort(), ctx.serverUser);
  }

  async version(ctx: BackupContext): Promise<string> {
    const r = await ctx.runner.run('barman-cloud-backup', ['--version'], { label: 'barman-cloud-version', allowFailure: true });
    return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
  }
}
