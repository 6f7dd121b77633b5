// Barman with backup_method = postgres and streaming_archiver = on (no ssh): its own -c config in the work folder
// (nothing system-wide), a replication slot, receive-wal running in the background, `barman backup`, `barman
// check` and `verify-backup` as checks, then `barman recover --target-*` into the new instance. Barman writes
// restore_command itself; the port is overridden by the provider (docs/postgres-facts.md #11).
// https://docs.pgbarman.org/release/3.4.0/
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError, StepFailedError } from '../../errors.js';
import { chownSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BackgroundProcess } from '../../exec/command-runner.js';
import { makeOwnedDir } from '../../exec/os-user.js';
import type { PostgresInstance } from '../../providers/provider.js';
import { parseLsn } from '../../pg/lsn.js';
import type { CheckResult } from '../../model/check-result.js';
import type { BackupArtifact, BackupContext, BackupMethod, RestorePlan, RestoreRequest, WalContinuity, MethodFacts } from '../backup-method.js';
import { folderSize } from '../common/folder-size.js';
import { barmanRecover } from './recover.js';
import { continuity, newestSegmentLsn, segmentsBelow, waitForSegment, WAL_SEGMENT_BYTES } from '../common/wal-archive.js';

const SERVER = 'drill';

interface ShowBackup {
  backup_id?: string;
  status?: string;
  base_backup_information?: { begin_lsn?: string; end_lsn?: string; disk_usage_bytes?: number; timeline?: number };
}

export class BarmanMethod implements BackupMethod {
  static readonly facts: MethodFacts = { pointInTime: true, removableWal: false, damageableBackup: false };
  readonly name = 'barman';
  private password = '';
  private receiver: BackgroundProcess | undefined;
  private home = '';
  private ctx: BackupContext | undefined;

  private conf(ctx: BackupContext): string {
    return path.join(ctx.workDir, 'barman', 'barman.conf');
  }

  private run(ctx: BackupContext, args: string[], label: string, allowFailure = false) {
    return ctx.runner.run('barman', ['-c', this.conf(ctx), ...args], { label, asServerUser: true, allowFailure, env: { PGPASSWORD: this.password } });
  }

  primarySettings(): Record<string, string> {
    // WAL reaches Barman by streaming (pg_receivewal on a slot), not archive_command.
    return { archive_mode: 'off' };
  }

  async prepare(ctx: BackupContext, primary: PostgresInstance): Promise<void> {
    this.password = String(primary.connection.password);
    this.ctx = ctx;
    this.home = path.join(ctx.workDir, 'barman');
    makeOwnedDir(this.home, ctx.serverUser);
    const user = ctx.serverUser?.name ?? os.userInfo().username;
    const conninfo = `host=${primary.host} port=${primary.port} user=postgres dbname=postgres`;
    const conf = [
      '[barman]',
      `barman_home = ${this.home}`,
      `barman_user = ${user}`,
      `log_file = ${path.join(this.home, 'barman.log')}`,
      'log_level = INFO',
      '',
      `[${SERVER}]`,
      'description = pgdrill disposable server',
      `conninfo = ${conninfo}`,
      `streaming_conninfo = ${conninfo}`,
      'backup_method = postgres',
      'immediate_checkpoint = true',
      'streaming_archiver = on',
      'archiver = off',
      'slot_name = pgdrill_barman',
      `path_prefix = ${path.dirname(ctx.provider.tool('pg_receivewal'))}`,
      '',
    ].join('\n');
    writeFileSync(this.conf(ctx), conf, { mode: 0o600 });
    if (ctx.serverUser) chownSync(this.conf(ctx), ctx.serverUser.uid, ctx.serverUser.gid);
    await this.run(ctx, ['receive-wal', '--create-slot', SERVER], 'barman-create-slot');
    this.receiver = ctx.runner.spawn('barman', ['-c', this.conf(ctx), 'receive-wal', SERVER], {
      label: 'barman-receive-wal',
      asServerUser: true,
      env: { PGPASSWORD: this.password },
      // It streams for as long as the drill runs; the drill's cleanup stops it, this bounds it if that never runs.
      lifetimeMs: 6 * 3_600_000,
    });
    await this.untilStreaming(primary, 30_000);
    // One WAL segment all the way through Barman proves streaming and archiving work.
    await this.flush(ctx, primary, 60_000);
  }

  /** pg_receivewal starts at the server's current position: nothing may be switched before it is attached. */
  private async untilStreaming(primary: PostgresInstance, deadlineMs: number): Promise<void> {
    const deadline = performance.now() + deadlineMs;
    while (performance.now() < deadline) {
      const [row] = await primary.query<{ active: boolean }>(`select coalesce(bool_or(active), false) as active from pg_replication_slots where slot_name = 'pgdrill_barman'`);
      if (row?.active) return;
      if (this.receiver && !this.receiver.running()) break;
      await sleep(20);
    }
    throw new EnvironmentError(`barman receive-wal did not attach to the replication slot within ${deadlineMs / 1000}s`, `see ${this.receiver?.logFile ?? 'the barman log'}`);
  }

  /** Moves completed streamed segments into Barman's WAL archive (what `barman cron` does). */
  private archiveWal(ctx: BackupContext) {
    return this.run(ctx, ['archive-wal', SERVER], 'barman-archive-wal', true).then(() => undefined);
  }

  private segments(): string[] {
    return segmentsBelow(path.join(this.home, SERVER, 'wals'));
  }

  /** Switches WAL and waits until Barman archived the segment holding `lsn` (now, by default). */
  private async flush(ctx: BackupContext, primary: PostgresInstance, deadlineMs: number, lsn?: string) {
    const at = lsn ?? (await primary.query<{ lsn: string }>(`select pg_logical_emit_message(false, 'pgdrill', 'flush')::text as lsn`))[0]?.lsn ?? '0/0';
    // pg_receivewal closes a streamed segment once WAL of the next one arrives: write a record there, then
    // move completed segments into Barman's archive (what `barman cron` does).
    const nudge = async () => {
      await primary.query(`select pg_logical_emit_message(false, 'pgdrill', 'nudge')`).catch(() => undefined);
      await this.archiveWal(ctx);
    };
    return waitForSegment(primary, at, () => this.segments(), deadlineMs, ctx.signal, nudge);
  }

  async dispose(): Promise<void> {
    const receiver = this.receiver;
    this.receiver = undefined;
    await receiver?.stop();
    // receive-wal runs pg_receivewal as a child: make sure none of ours survives.
    if (this.home && this.ctx) {
      // pkill exits 1 when none is left: not a failure.
      await this.ctx.runner.withoutAbort().run('pkill', ['-TERM', '-f', `pg_receivewal.*${this.home}`], { label: 'stop-pg_receivewal', allowFailure: true });
    }
  }

  async takeBackup(ctx: BackupContext, primary: PostgresInstance): Promise<BackupArtifact> {
    const started = performance.now();
    await this.run(ctx, ['backup', SERVER], 'barman-backup');
    // WAITING_FOR_WALS until the WAL the backup needs is archived; check-backup then marks it DONE.
    await this.flush(ctx, primary, 60_000);
    let show: ShowBackup = {};
    const deadline = performance.now() + 60_000;
    while (performance.now() < deadline) {
      const r = await this.run(ctx, ['-f', 'json', 'show-backup', SERVER, 'latest'], 'barman-show-backup');
      show = (Object.values(JSON.parse(r.stdout) as Record<string, ShowBackup>)[0] ?? {}) as ShowBackup;
      if (show.status === 'DONE') break;
      await this.archiveWal(ctx);
      if (show.backup_id) await this.run(ctx, ['check-backup', SERVER, show.backup_id], 'barman-check-backup', true);
    }
    if (show.status !== 'DONE') {
      throw new StepFailedError(`barman backup ${show.backup_id ?? ''} stayed ${show.status ?? 'unknown'} for 60s`, {
        command: 'barman show-backup',
        outputTail: JSON.stringify(show),
        durationSeconds: (performance.now() - started) / 1000,
      });
    }
    const info = show.base_backup_information ?? {};
    return {
      method: this.name,
      location: show.backup_id ?? '',
      ...(info.begin_lsn ? { startLsn: info.begin_lsn } : {}),
      ...(info.end_lsn ? { endLsn: info.end_lsn } : {}),
      timeline: info.timeline ?? 1,
      sizeBytes: info.disk_usage_bytes ?? folderSize(path.join(this.home, SERVER, 'base', show.backup_id ?? '')),
      seconds: (performance.now() - started) / 1000,
    };
  }

  async verify(ctx: BackupContext, backup: BackupArtifact): Promise<CheckResult> {
    const r = await this.run(ctx, ['verify-backup', SERVER, backup.location], 'barman-verify-backup', true);
    const out = `${r.stdout}\n${r.stderr}`.trim();
    return {
      name: 'backup-verified',
      status: r.exitCode === 0 && !/error|failed|mismatch/i.test(out) ? 'passed' : 'failed',
      detail: `barman verify-backup ${backup.location}: ${out.split('\n').slice(-3).join(' | ') || `exit ${r.exitCode}`}`,
    };
  }

  async extraChecks(ctx: BackupContext): Promise<CheckResult[]> {
    const r = await this.run(ctx, ['check', SERVER], 'barman-check', true);
    const failing = r.stdout.split('\n').filter((l) => /FAILED/.test(l)).map((l) => l.trim());
    return [
      {
        name: 'barman check',
        status: r.exitCode === 0 ? 'passed' : 'failed',
        detail: r.exitCode === 0 ? 'every barman check passed (streaming, slot, WAL archive, backups)' : failing.join('; ') || `exit ${r.exitCode}`,
      },
    ];
  }

  archiveThrough(ctx: BackupContext, primary: PostgresInstance, lsn: string, deadlineMs: number) {
    return this.flush(ctx, primary, deadlineMs, lsn);
  }

  async walContinuity(_ctx: BackupContext, backup: BackupArtifact, untilLsn: string): Promise<WalContinuity> {
    return continuity(new Set(this.segments()), 1, parseLsn(backup.startLsn ?? '0/0'), parseLsn(untilLsn), WAL_SEGMENT_BYTES);
  }

  async archiveEnd(ctx: BackupContext): Promise<string | undefined> {
    await this.archiveWal(ctx);
    return newestSegmentLsn(this.segments(), 1, WAL_SEGMENT_BYTES);
  }

  restore(ctx: BackupContext, backup: BackupArtifact, request: RestoreRequest): Promise<RestorePlan> {
    return barmanRecover(ctx, request, {
      barman: (args, label) => this.run(ctx, args, label),
      conf: this.conf(ctx),
      server: SERVER,
      backupId: backup.location,
      tablespaces: [],
      // get-wal --partial also serves the streamed .partial segment, so after a primary loss the data lost
      // shrinks to what streaming missed, not what the last segment switch left behind.
      partial: true,
      label: `barman-recover-${request.instanceName}`,
    });
  }

  async version(ctx: BackupContext): Promise<string> {
    const r = await ctx.runner.run('barman', ['--version'], { label: 'barman-version' });
    return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
  }
}
