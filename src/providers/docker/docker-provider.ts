// The docker provider: every instance of a drill in a disposable container from a PostgreSQL 15 image
// (postgres.image / PGDRILL_IMAGE, default postgres:15: the official image, or one built from Debian packages by
// scripts/docker-setup.sh when no registry answers). Server-side tools run in containers of the same image (libexec/docker/*), so their
// version matches the server's. Containers carry the label pgdrill.managed=true; `pgdrill cleanup` removes any
// that a killed run left behind (Ryuk may be unavailable).
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { EnvironmentError } from '../../errors.js';
import type { OsUser } from '../../exec/os-user.js';
import { appendAutoConf } from '../conf-file.js';
import { runInitdb } from '../initdb.js';
import type { InitSpec, PostgresInstance, Provider, ProviderContext, ProviderInfo, StartSpec } from '../provider.js';
import { DockerInstance, MANAGED_LABEL, startServerContainer } from './docker-instance.js';
import { currentOwner, ownerAlive, ownerLabel, parseOwnerLabel } from '../../exec/ownership.js';

export const DEFAULT_IMAGE = 'postgres:15';
const TOOLS_DIR = fileURLToPath(new URL('../../../libexec/docker/', import.meta.url));
/** The image's postgres user (as in the official image). */
const CONTAINER_UID = 999;

function instanceSettings(): Record<string, string | number> {
  return {
    port: 5432,
    listen_addresses: '*',
    unix_socket_directories: '/var/run/postgresql',
    log_line_prefix: '%m [%p] ',
    log_timezone: 'UTC',
    logging_collector: 'off',
  };
}

export class DockerProvider implements Provider {
  readonly name = 'docker';
  private version: string | undefined;

  constructor(
    private readonly image: string,
    private readonly reason: string,
    private readonly mounts: string[],
  ) {
    process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
    process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= 'localhost';
  }

  serverUser(): OsUser {
    let gid = 0;
    try {
      gid = Number(execFileSync('getent', ['group', 'docker'], { encoding: 'utf8' }).split(':')[2]);
    } catch {
      gid = 0;
    }
    // uid 999 owns the bind-mounted folders (the container's postgres); the docker group lets the tool wrappers
    // reach the engine.
    return { name: 'postgres', uid: CONTAINER_UID, gid };
  }

  async describe(): Promise<ProviderInfo> {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new EnvironmentError(
        'the docker provider needs pgdrill to run as root in this release: it hands the bind-mounted work folder to the container\'s postgres user (uid 999)',
        'run it with sudo, or use --provider local',
      );
    }
    const info = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false });
    if (info.exitCode !== 0) {
      throw new EnvironmentError(`no Docker engine answers (${(info.stderr || info.stdout).trim().split('\n')[0] ?? 'docker info failed'})`, 'start dockerd (scripts/docker-setup.sh does), or use --provider local');
    }
    const inspect = await execa('docker', ['image', 'inspect', this.image], { reject: false });
    if (inspect.exitCode !== 0) {
      const pull = await execa('docker', ['pull', this.image], { reject: false });
      if (pull.exitCode !== 0) {
        throw new EnvironmentError(`image ${this.image} is not present and cannot be pulled`, 'build it with scripts/docker-setup.sh (no registry needed), or set postgres.image / PGDRILL_IMAGE');
      }
    }
    this.version ??= (await execa('docker', ['run', '--rm', this.image, 'postgres', '--version'])).stdout.replace(/^.*\(PostgreSQL\)\s*/, '').trim();
    if (!this.version.startsWith('15.')) {
      throw new EnvironmentError(`image ${this.image} runs PostgreSQL ${this.version}, not 15`, 'use a PostgreSQL 15 image');
    }
    return { provider: this.name, reason: `${this.reason}; image ${this.image}, Docker ${info.stdout.trim()}`, postgresVersion: this.version };
  }

  tool(name: string): string {
    return path.join(TOOLS_DIR, name);
  }

  /** The work root (read-write, same path inside), the current folder and the fixtures' folders. */
  private mountList(ctx: { workDir: string }): string[] {
    return [...new Set([path.dirname(ctx.workDir), ...this.mounts])];
  }

  /** What the tool wrappers (libexec/docker/*, separate processes) need to know about this drill. */
  toolEnv(workDir: string): Record<string, string> {
    return {
      PGDRILL_IMAGE: this.image,
      PGDRILL_DOCKER_MOUNTS: this.mountList({ workDir }).join(' '),
      PGDRILL_WORKDIR: workDir,
      PGDRILL_OWNER: ownerLabel(currentOwner()),
    };
  }

  async initPrimary(ctx: ProviderContext, spec: InitSpec): Promise<PostgresInstance> {
    this.mountList(ctx);
    const dataDir = await runInitdb(ctx, this.tool('initdb'), spec);
    // Connections arrive through Docker's port forwarding, from the bridge gateway, not 127.0.0.1.
    appendFileSync(path.join(dataDir, 'pg_hba.conf'), '\n# pgdrill: docker port forwarding\nhost all all all scram-sha-256\nhost replication all all scram-sha-256\n');
    const primary = await this.start(ctx, { ...spec, dataDir });
    // The image's own claim is not enough: ask the running server.
    const [row] = await primary.query<{ v: string }>(`select current_setting('server_version_num') as v`);
    if (Math.floor(Number(row?.v) / 10000) !== 15) {
      await primary.stop();
      throw new EnvironmentError(`image ${this.image} runs PostgreSQL ${row?.v}, not 15`, 'set postgres.image / PGDRILL_IMAGE to a PostgreSQL 15 image');
    }
    return primary;
  }

  async start(ctx: ProviderContext, spec: StartSpec & { password: string }): Promise<PostgresInstance> {
    const instanceDir = path.dirname(spec.dataDir);
    const logFile = path.join(instanceDir, 'server.log');
    appendAutoConf(spec.dataDir, { ...spec.settings, ...instanceSettings() }, `pgdrill: ${spec.name} instance (docker)`);
    writeFileSync(logFile, '', { flag: 'a' });
    if (ctx.serverUser) {
      for (const f of [path.join(spec.dataDir, 'postgresql.auto.conf'), logFile]) chownSync(f, ctx.serverUser.uid, ctx.serverUser.gid);
    }
    const containerSpec = { image: this.image, name: spec.name, dataDir: spec.dataDir, logFile, mounts: this.mountList(ctx), deadlineMs: spec.deadlineMs };
    const { container, ready } = await startServerContainer(ctx, containerSpec);
    return new DockerInstance(spec.name, container, spec.dataDir, logFile, spec.password, ready, ctx, containerSpec);
  }
}

/**
 * Removes the containers pgdrill labelled whose owning run is gone (killed with SIGKILL, a CI timeout). A
 * container of a run that is still alive, here or on another host sharing the engine, is left alone.
 */
export async function cleanupContainers(): Promise<{ removed: string[]; alive: string[] }> {
  const ps = await execa('docker', ['ps', '-a', '--filter', `label=${MANAGED_LABEL}=true`, '--format', `{{.ID}} {{.Label "pgdrill.owner"}} {{.Label "pgdrill.workdir"}}`], { reject: false });
  if (ps.exitCode !== 0) return { removed: [], alive: [] };
  const removed: string[] = [];
  const alive: string[] = [];
  for (const line of ps.stdout.split('\n').filter(Boolean)) {
    const [id = '', label, workdir] = line.split(' ');
    const owner = parseOwnerLabel(label);
    // Containers of older releases carry no owner: theirs is gone when their work folder is.
    const dead = owner ? !ownerAlive(owner) : !workdir || !existsSync(workdir);
    (dead ? removed : alive).push(id);
  }
  if (removed.length > 0) await execa('docker', ['rm', '-f', '-v', ...removed], { reject: false });
  return { removed, alive };
}

export function dockerAvailable(image: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

