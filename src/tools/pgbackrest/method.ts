// pgBackRest, driven the way its user guide says: a posix repository inside the drill's work folder, or on S3 when
// the drill says (backup.repo: the drill's own prefix in the bucket, its stanza deleted at the end), a stanza,
// archive_command = archive-push (set before stanza-create; Postgres retries until the stanza exists,
// docs/postgres-facts.md #10), stanza-create, check, a full backup, verify, then restore with --type/--target and
// --archive-mode=off so the restored instance never archives into the repository.
// https://pgbackrest.org/user-guide.html
import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CommandRunner } from '../../exec/command-runner.js';
import { makeOwnedDir } from '../../exec/os-user.js';
import type { PostgresInstance } from '../../providers/provider.js';
import { parseLsn } from '../../pg/lsn.js';
import type { CheckResult } from '../../model/check-result.js';
import { EnvironmentError, PgdrillError } from '../../errors.js';
import { flipBytes, FLIPPED_BYTES } from '../common/flip-bytes.js';
import { fractionProgress } from '../common/backup-progress.js';
import type { BackupArtifact, BackupContext, BackupDamage, BackupMethod, BackupOptions, BackupProgress, MethodFacts, RestorePlan, RestoreRequest, S3Repository, WalContinuity } from '../backup-method.js';
import { pgbackrestRestore } from './restore.js';
import { continuity, newestSegmentLsn, segmentsBelow, waitForSegment, WAL_SEGMENT_BYTES } from '../common/wal-archive.js';

const STANZA = 'drill';

interface InfoBackup {
  label: string;
  lsn?: { start: string; stop: string };
  info?: { size: number; repository?: { size: number; delta: number } };
}

export class PgBackRestMethod implements BackupMethod {
  static readonly facts: MethodFacts = { pointInTime: true, removableWal: true, damageableBackup: true, options: { repo: 'optional' } };
  readonly name = 'pgbackrest';
  private password = '';
  private readonly s3: S3Repository | undefined;
  /** Set once the stanza exists in a remote repository: it is deleted when the drill ends. */
  private remote: BackupContext | undefined;

  constructor(options: BackupOptions = {}) {
    this.s3 = options.repo;
  }

  private dir(ctx: BackupContext): string {
    return path.join(ctx.workDir, 'pgbackrest');
  }

  private conf(ctx: BackupContext): string {
    return path.join(this.dir(ctx), 'pgbackrest.conf');
  }

  private run(ctx: BackupContext, args: string[], label: string, allowFailure = false) {
    return ctx.runner.run('pgbackrest', [`--config=${this.conf(ctx)}`, `--stanza=${STANZA}`, ...args], {
      label,
      asServerUser: true,
      allowFailure,
      env: { PGPASSWORD: this.password },
    });
  }

  primarySettings(ctx: BackupContext): Record<string, string> {
    return { archive_mode: 'on', archive_command: `pgbackrest --config=${this.conf(ctx)} --stanza=${STANZA} archive-push %p` };
  }

  async prepare(ctx: BackupContext, primary: PostgresInstance): Promise<void> {
    this.password = String(primary.connection.password);
    const dir = this.dir(ctx);
    for (const sub of ['', 'repo', 'log', 'lock', 'spool']) makeOwnedDir(path.join(dir, sub), ctx.serverUser);
    const conf = [
      '[global]',
      ...(this.s3 ? s3Options(this.s3, path.basename(ctx.workDir), process.env, ctx.runner) : [`repo1-path=${path.join(dir, 'repo')}`]),
      'repo1-retention-full=2',
      `log-path=${path.join(dir, 'log')}`,
      `lock-path=${path.join(dir, 'lock')}`,
      `spool-path=${path.join(dir, 'spool')}`,
      'log-level-console=info',
      'log-level-file=detail',
      'compress-type=lz4',
      'start-fast=y',
      'archive-timeout=60',
      '',
      `[${STANZA}]`,
      `pg1-path=${primary.dataDir}`,
      `pg1-port=${primary.port}`,
      ...(primary.socketDir ? [`pg1-socket-path=${primary.socketDir}`] : []),
      'pg1-user=postgres',
      '',
    ].join('\n');
    writeFileSync(this.conf(ctx), conf, { mode: 0o600 });
    if (ctx.serverUser) chownSync(this.conf(ctx), ctx.serverUser.uid, ctx.serverUser.gid);
    const created = await this.run(ctx, ['stanza-create'], 'pgbackrest-stanza-create', true);
    if (created.exitCode !== 0) {
      const said = (created.stderr || created.stdout).trim().split('\n').filter((l) => /ERROR/.test(l)).at(-1)?.replace(/^.*?ERROR: /, '') ?? `exit ${created.exitCode}`;
      if (this.s3) {
        throw new EnvironmentError(
          `pgbackrest stanza-create could not use the S3 repository s3://${this.s3.bucket} at ${this.s3.endpoint}: ${said}`,
          'check backup.repo (bucket, endpoint, region, uriStyle, caFile) and the keys in PGBACKREST_REPO1_S3_KEY / PGBACKREST_REPO1_S3_KEY_SECRET (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)',
        );
      }
      throw new EnvironmentError(`pgbackrest stanza-create failed: ${said}`, `see the pgbackrest-stanza-create log of this run and ${path.join(this.dir(ctx), 'log')}`);
    }
    if (this.s3) this.remote = ctx;
    await this.run(ctx, ['check'], 'pgbackrest-check');
  }

  /**
   * pgBackRest writes how far its backup is into the backup lock file (lock-path/<stanza>-backup.lock, pctCplt in
   * hundredths of a percent; it moves as each file is done, largest first, so a large table holds it still).
   */
  backupProgress(ctx: BackupContext, primary: PostgresInstance): BackupProgress {
    const lock = path.join(this.dir(ctx), 'lock', `${STANZA}-backup.lock`);
    return fractionProgress(primary, () => {
      try {
        const pct = (JSON.parse(readFileSync(lock, 'utf8')) as { pctCplt?: number }).pctCplt;
        return typeof pct === 'number' ? pct / 10000 : undefined;
      } catch {
        return undefined; // not written yet, or between two writes
      }
    });
  }

  async takeBackup(ctx: BackupContext): Promise<BackupArtifact> {
    const started = performance.now();
    await this.run(ctx, ['--type=full', 'backup'], 'pgbackrest-backup');
    const seconds = (performance.now() - started) / 1000;
    const info = await this.run(ctx, ['--output=json', 'info'], 'pgbackrest-info');
    const stanza = (JSON.parse(info.stdout) as Array<{ backup: InfoBackup[] }>)[0];
    const latest = stanza?.backup.at(-1);
    return {
      method: this.name,
      location: latest?.label ?? '',
      ...(latest?.lsn ? { startLsn: latest.lsn.start, endLsn: latest.lsn.stop } : {}),
      timeline: 1,
      sizeBytes: latest?.info?.repository?.size ?? latest?.info?.size ?? 0,
      dataBytes: latest?.info?.size,
      seconds,
    };
  }

  /**
   * pgbackrest verify exits 0 and logs "completed successfully" even when it found damage: the damage is in its
   * INFO lines ("invalid checksum '<file>'", "status: error", "checksum invalid: 1"), so those are read too.
   */
  async verify(ctx: BackupContext, backup: BackupArtifact): Promise<CheckResult> {
    const r = await this.run(ctx, ['verify'], 'pgbackrest-verify', true);
    return verifyCheck(r.exitCode, `${r.stdout}\n${r.stderr}`, backup.location);
  }

  /** Archived segment names: read from the folder, or listed by pgBackRest (repo-ls) for a remote repository. */
  private async segments(ctx: BackupContext): Promise<string[]> {
    if (!this.s3) return segmentsBelow(path.join(this.dir(ctx), 'repo', 'archive', STANZA));
    // Level by level (archive/<stanza>/<db-id>/<timeline+log>/): a recursive listing is not served by every
    // S3-compatible store; the database ids come from info.
    const ls = async (dir: string) => (await this.run(ctx, ['repo-ls', dir], 'pgbackrest-repo-ls', true)).stdout.split('\n').filter(Boolean);
    const info = JSON.parse((await this.run(ctx, ['--output=json', 'info'], 'pgbackrest-info', true)).stdout || '[]') as Array<{ archive?: Array<{ id: string }> }>;
    const out: string[] = [];
    for (const { id } of info[0]?.archive ?? []) {
      for (const dir of (await ls(`archive/${STANZA}/${id}`)).filter((d) => /^[0-9A-F]{16}$/.test(d))) {
        for (const f of await ls(`archive/${STANZA}/${id}/${dir}`)) {
          const m = /^([0-9A-F]{24})-[0-9a-f]{40}/.exec(f);
          if (m?.[1]) out.push(m[1]);
        }
      }
    }
    return out;
  }

  archiveThrough(ctx: BackupContext, primary: PostgresInstance, lsn: string, deadlineMs: number) {
    return waitForSegment(primary, lsn, () => this.segments(ctx), deadlineMs, ctx.signal, undefined, this.s3 ? 250 : 10);
  }

  async walContinuity(ctx: BackupContext, backup: BackupArtifact, untilLsn: string): Promise<WalContinuity> {
    return continuity(new Set(await this.segments(ctx)), 1, parseLsn(backup.startLsn ?? '0/0'), parseLsn(untilLsn), WAL_SEGMENT_BYTES);
  }

  async archiveEnd(ctx: BackupContext): Promise<string | undefined> {
    return newestSegmentLsn(await this.segments(ctx), 1, WAL_SEGMENT_BYTES);
  }

  /** Where a repository path is, for the report: the object's s3:// address, or the file. */
  private address(ctx: BackupContext, repoPath: string): string {
    if (this.s3) return `s3://${this.s3.bucket}/${path.posix.join(this.s3.prefix, path.basename(ctx.workDir), repoPath).replace(/^\/+/, '')}`;
    return path.join(this.dir(ctx), 'repo', repoPath);
  }

  /** The segment's file in the drill's own repository (archive/<stanza>/<db-id>/<timeline+log>/<segment>-<sha1>...), removed with repo-rm. */
  async removeArchivedSegment(ctx: BackupContext, segment: string): Promise<string> {
    const info = JSON.parse((await this.run(ctx, ['--output=json', 'info'], 'pgbackrest-info')).stdout) as Array<{ archive?: Array<{ id: string }> }>;
    for (const { id } of info[0]?.archive ?? []) {
      const dir = `archive/${STANZA}/${id}/${segment.slice(0, 16)}`;
      const found = (await this.run(ctx, [`--filter=^${segment}-`, 'repo-ls', dir], 'pgbackrest-repo-ls', true)).stdout.split('\n').filter(Boolean)[0];
      if (!found) continue;
      await this.run(ctx, ['repo-rm', `${dir}/${found}`], 'pgbackrest-repo-rm');
      return this.address(ctx, `${dir}/${found}`);
    }
    throw new PgdrillError(`WAL segment ${segment} is not in the drill's pgBackRest repository`);
  }

  /**
   * Flips bytes in the middle of the backup's largest relation file as stored (compressed), through repo-get and
   * repo-put --raw: the file no longer matches the checksum in the backup manifest, which pgbackrest verify reads.
   */
  async damageBackup(ctx: BackupContext, backup: BackupArtifact): Promise<BackupDamage> {
    const base = `backup/${STANZA}/${backup.location}/pg_data/base`;
    const listed = JSON.parse((await this.run(ctx, ['--output=json', '--recurse', 'repo-ls', base], 'pgbackrest-repo-ls')).stdout) as Record<string, { type: string; size?: number }>;
    const [name, entry] = Object.entries(listed)
      .filter(([n, e]) => e.type === 'file' && /^\d+\/\d+(\.\w+)?$/.test(n))
      .sort((a, b) => (b[1].size ?? 0) - (a[1].size ?? 0))[0] ?? [];
    if (!name || !entry || (entry.size ?? 0) < 64) throw new PgdrillError(`no data file to corrupt in backup ${backup.location} of the drill's pgBackRest repository`);
    const key = `${base}/${name}`;
    const local = path.join(this.dir(ctx), 'damaged-file');
    const pipe = (direction: '>' | '<', command: string) =>
      ctx.runner.run('sh', ['-c', `exec pgbackrest --config="$1" --stanza=${STANZA} --raw ${command} "$2" ${direction} "$3"`, 'sh', this.conf(ctx), key, local], { label: `pgbackrest-${command}`, asServerUser: true });
    await pipe('>', 'repo-get');
    const offset = Math.floor((entry.size ?? 0) / 2);
    flipBytes(local, offset, FLIPPED_BYTES);
    await pipe('<', 'repo-put');
    return { file: `pg_data/base/${name}`, where: this.address(ctx, key), offset, bytes: FLIPPED_BYTES };
  }

  /** A repository on S3 is the user's bucket: the drill's stanza (its backups and WAL) is deleted from it. */
  async dispose(): Promise<void> {
    const ctx = this.remote;
    this.remote = undefined;
    if (!ctx) return;
    await this.run(ctx, ['stop'], 'pgbackrest-stop', true);
    const r = await this.run(ctx, ['--force', 'stanza-delete'], 'pgbackrest-stanza-delete', true);
    if (r.exitCode !== 0) throw new Error(`pgbackrest stanza-delete left the drill's stanza in s3://${this.s3?.bucket}${this.s3?.prefix}: ${(r.stderr || r.stdout).trim().split('\n').at(-1) ?? ''}`);
  }

  restore(ctx: BackupContext, backup: BackupArtifact, request: RestoreRequest): Promise<RestorePlan> {
    return pgbackrestRestore(ctx, request, { options: [`--config=${this.conf(ctx)}`, `--stanza=${STANZA}`], set: backup.location, label: `pgbackrest-restore-${request.instanceName}`, env: { PGPASSWORD: this.password } });
  }

  async version(ctx: BackupContext): Promise<string> {
    return (await ctx.runner.run('pgbackrest', ['version'], { label: 'pgbackrest-version' })).stdout.trim();
  }

}
/**
 * repo1 on S3 for one drill: below <prefix>/<work folder name>, keys from PGBACKREST_REPO1_S3_KEY(_SECRET) or
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, written only into the work folder's pgbackrest.conf (mode 0600).
 */
function s3Options(repo: S3Repository, drillFolder: string, env: NodeJS.ProcessEnv, runner: CommandRunner): string[] {
  const key = env['PGBACKREST_REPO1_S3_KEY'] ?? env['AWS_ACCESS_KEY_ID'];
  const secret = env['PGBACKREST_REPO1_S3_KEY_SECRET'] ?? env['AWS_SECRET_ACCESS_KEY'];
  if (!key || !secret) {
    throw new EnvironmentError('backup.repo is on S3 but no key is in the environment', 'export PGBACKREST_REPO1_S3_KEY and PGBACKREST_REPO1_S3_KEY_SECRET (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)');
  }
  // pgBackRest's errors quote the S3 response (the key id among it) into its output and the server log.
  runner.addSecret(key);
  runner.addSecret(secret);
  const url = new URL(repo.endpoint);
  return [
    'repo1-type=s3',
    `repo1-path=${path.posix.join(repo.prefix, drillFolder)}`,
    `repo1-s3-bucket=${repo.bucket}`,
    `repo1-s3-endpoint=${url.hostname}`,
    ...(url.port ? [`repo1-storage-port=${url.port}`] : []),
    `repo1-s3-region=${repo.region}`,
    `repo1-s3-uri-style=${repo.uriStyle}`,
    `repo1-storage-verify-tls=${repo.verifyTls ? 'y' : 'n'}`,
    ...(repo.caFile ? [`repo1-storage-ca-file=${repo.caFile}`] : []),
    `repo1-s3-key=${key}`,
    `repo1-s3-key-secret=${secret}`,
  ];
}

/** The backup-verified check from pgbackrest verify's exit and output (exported for its unit test). */
export function verifyCheck(exitCode: number, output: string, label: string): CheckResult {
  const lines = output.split('\n').map((l) => l.replace(/^.*?\b(INFO|ERROR|WARN): /, '').trim());
  const problems = lines.filter((l) => /^(ERROR|WARN)|\b(invalid|missing|status: error)\b|\berror\b/i.test(l) && !/^verify command (begin|end)/.test(l));
  const passed = exitCode === 0 && problems.length === 0;
  const end = lines.find((l) => l.startsWith('verify command end')) ?? '';
  return {
    name: 'backup-verified',
    status: passed ? 'passed' : 'failed',
    detail: passed ? `pgbackrest verify (backup ${label}): ${end || 'ok'}` : `pgbackrest verify (backup ${label}, exit ${exitCode}) found: ${problems.join(' | ')}`,
  };
}
