// What every use of barman-cloud shares (the source of existing cloud backups and the barman-cloud method): the
// cloud options, the environment boto3 reads (credentials reach only these commands), scripts of the work folder
// for the commands the server runs itself (archive_command, restore_command) so no key is in a setting, and
// listings through Barman's own cloud library (libexec/barman-cloud/cloud.py).
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';
import type { CommandRunner } from '../../exec/command-runner.js';
import { chownTree, makeOwnedDir, touchOwnedFile, type OsUser } from '../../exec/os-user.js';
import { packageFile } from '../../package-files.js';
import { targetSettings } from '../../pg/recovery-target.js';
import type { PhysicalRestorePlan, RestoreRequest } from '../backup-method.js';
import type { SourceContext } from '../source.js';

const CLOUD_PY = packageFile('libexec/barman-cloud/cloud.py');

/** What boto3 reads from the environment; nothing else of pgdrill's environment reaches barman-cloud. */
const CLOUD_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_CA_BUNDLE', 'AWS_REQUEST_CHECKSUM_CALCULATION', 'AWS_RESPONSE_CHECKSUM_VALIDATION'];

export interface CloudLocation {
  destination: string;
  server: string;
  endpoint?: string | undefined;
  cloudProvider: string;
  profile?: string | undefined;
}

export class BarmanCloudCli {
  constructor(
    readonly where: CloudLocation,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Secret values, redacted from every command log (the key id too: S3 errors quote it). */
  secrets(): string[] {
    return ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].map((k) => this.env[k]).filter((v): v is string => Boolean(v));
  }

  /**
   * boto3's settings (newer boto3 needs the two checksum settings for most S3-compatible stores; the user's own
   * values win). HOME only when the tools run as pgdrill's own user (~/.aws).
   */
  cloudEnv(serverUser: OsUser | undefined): Record<string, string> {
    const env: Record<string, string> = { AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required', AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required' };
    for (const k of CLOUD_ENV) if (this.env[k]) env[k] = this.env[k] as string;
    if (!serverUser && this.env['HOME']) env['HOME'] = this.env['HOME'];
    return env;
  }

  options(): string[] {
    const w = this.where;
    return [`--cloud-provider=${w.cloudProvider}`, ...(w.endpoint ? [`--endpoint-url=${w.endpoint}`] : []), ...(w.profile ? [`--profile=${w.profile}`] : [])];
  }

  async run(runner: CommandRunner, serverUser: OsUser | undefined, file: string, args: string[], label: string, env: Record<string, string> = {}): Promise<string> {
    const r = await runner.run(file, args, { label, asServerUser: true, allowFailure: true, env: { ...this.cloudEnv(serverUser), ...env } });
    if (r.exitCode !== 0) {
      const said = (r.stderr || r.stdout).trim().split('\n').filter((l) => l.trim()).at(-1) ?? '';
      const w = this.where;
      throw new EnvironmentError(
        `${file === 'python3' ? `barman-cloud ${args[1] ?? ''}` : path.basename(file)} failed for ${w.destination} (server ${w.server}${w.endpoint ? `, endpoint ${w.endpoint}` : ''}, exit ${r.exitCode}): ${said}`,
        'check the destination, the endpoint and the credentials in the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE; AWS_CA_BUNDLE for a private CA)',
      );
    }
    return r.stdout;
  }

  /** WAL segment names in the destination, sorted (Barman's own listing, read-only). */
  async walSegments(runner: CommandRunner, serverUser: OsUser | undefined): Promise<string[]> {
    const out = await this.run(runner, serverUser, 'python3', [CLOUD_PY, 'list-wal', ...this.options(), this.where.destination, this.where.server], 'barman-cloud-wal-list');
    return out.trim().split('\n').filter(Boolean);
  }

  /** Each backup's begin and end as ISO 8601 with the offset backup.info recorded (read-only). */
  async backupTimes(runner: CommandRunner, serverUser: OsUser | undefined): Promise<Record<string, { status: string; begin: string | null; end: string | null }>> {
    const out = await this.run(runner, serverUser, 'python3', [CLOUD_PY, 'backup-times', ...this.options(), this.where.destination, this.where.server], 'barman-cloud-backup-times');
    return JSON.parse(out) as Record<string, { status: string; begin: string | null; end: string | null }>;
  }

  /** Deletes every object of this server in the destination (a drill's own, never a user's). */
  async deleteServer(runner: CommandRunner, serverUser: OsUser | undefined): Promise<void> {
    await this.run(runner, serverUser, 'python3', [CLOUD_PY, 'delete-server', ...this.options(), this.where.destination, this.where.server], 'barman-cloud-delete-server');
  }

  /** s3://bucket/key of an object key this location returned (the bucket is the destination's). */
  address(key: string): string {
    const url = new URL(this.where.destination);
    return `${url.protocol}//${url.host}/${key}`;
  }

  /** Deletes one WAL segment's object of this server (a drill's own) and returns its address. */
  async deleteWal(runner: CommandRunner, serverUser: OsUser | undefined, segment: string): Promise<string> {
    const out = await this.run(runner, serverUser, 'python3', [CLOUD_PY, 'delete-wal', ...this.options(), this.where.destination, this.where.server, segment], 'barman-cloud-delete-wal');
    return this.address(out.trim());
  }

  /** Flips bytes in the largest relation file inside a base backup's data.tar (a drill's own); `tmpDir` holds the download. */
  async damageBackup(runner: CommandRunner, serverUser: OsUser | undefined, backupId: string, tmpDir: string): Promise<{ key: string; member: string; offset: number }> {
    const out = await this.run(runner, serverUser, 'python3', [CLOUD_PY, 'damage-backup', ...this.options(), this.where.destination, this.where.server, backupId], 'barman-cloud-damage-backup', { TMPDIR: tmpDir });
    return JSON.parse(out) as { key: string; member: string; offset: number };
  }

  /**
   * The one barman-cloud-restore of pgdrill (the drill's own server, or a server the user has): the backup into a
   * data folder of the work folder, tablespaces remapped there, recovery.signal, and as restore_command a script
   * of the work folder that runs barman-cloud-wal-restore with the credentials, so no key is in a setting.
   */
  async restore(ctx: SourceContext, request: RestoreRequest, backupId: string, tablespaces: readonly string[], label: string): Promise<PhysicalRestorePlan> {
    const instanceDir = path.join(ctx.workDir, request.instanceName);
    const dataDir = path.join(instanceDir, 'data');
    const tools = path.join(ctx.workDir, 'barman-cloud');
    const remapped = path.join(ctx.workDir, 'tablespaces');
    for (const d of [instanceDir, tools, ...(tablespaces.length ? [remapped] : [])]) makeOwnedDir(d, ctx.serverUser);
    const remap = tablespaces.flatMap((name) => ['--tablespace', `${name}:${path.join(remapped, name)}`]);
    await this.run(ctx.runner, ctx.serverUser, 'barman-cloud-restore', [...this.options(), ...remap, this.where.destination, this.where.server, backupId, dataDir], label);
    touchOwnedFile(path.join(dataDir, 'recovery.signal'), ctx.serverUser);
    const script = this.writeScript(path.join(tools, 'wal-restore.sh'), ctx.serverUser, 'barman-cloud-wal-restore', [this.where.destination, this.where.server]);
    return { kind: 'physical', dataDir, settings: { archive_mode: 'off', ...targetSettings(request.target, request.timeline), restore_command: `${script} %f %p` } };
  }

  /**
   * A script of the work folder (mode 0700, the server user's) that runs one barman-cloud command with the
   * credentials, for commands the server itself runs: `<script> %p` or `<script> %f %p`.
   */
  writeScript(file: string, serverUser: OsUser | undefined, command: string, args: string[], stopFile?: string): string {
    const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
    const stop = stopFile ? [`[ -e ${quote(stopFile)} ] && { echo 'pgdrill: the drill is over, nothing more goes to the destination' >&2; exit 1; }`] : [];
    writeFileSync(
      file,
      ['#!/bin/sh', '# written by pgdrill for one drill; removed with its work folder', ...stop, ...Object.entries(this.cloudEnv(serverUser)).map(([k, v]) => `export ${k}=${quote(v)}`), `exec ${command} ${[...this.options(), ...args].map(quote).join(' ')} "$@"`, ''].join('\n'),
      { mode: 0o700 },
    );
    chmodSync(file, 0o700);
    chownTree(file, serverUser);
    return quote(file);
  }
}
