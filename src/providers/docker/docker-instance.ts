// A Postgres server in a container started with testcontainers. Its data folder is a bind mount of the drill's
// work folder (same path inside and out), so backups, archives and logs are shared with the host; readiness
// follows the same server log as the local provider. stop() is idempotent and removes the container.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { InstanceBase } from '../instance-base.js';
import { currentOwner, ownerLabel } from '../../exec/ownership.js';
import type { ProviderContext, StopMode } from '../provider.js';
import { fileSize, waitUntilReady, type ReadyEvent } from '../readiness.js';

export const CONTAINER_PORT = 5432;
export const MANAGED_LABEL = 'pgdrill.managed';

export interface ContainerSpec {
  image: string;
  name: string;
  dataDir: string;
  logFile: string;
  mounts: string[];
  deadlineMs: number;
}

/** Starts postgres on an existing data folder in a new container and waits until it accepts connections. */
export async function startServerContainer(ctx: ProviderContext, spec: ContainerSpec, logOffset = 0): Promise<{ container: StartedTestContainer; ready: ReadyEvent }> {
  const startedAt = performance.now();
  const container = await new GenericContainer(spec.image)
    .withBindMounts(spec.mounts.map((m) => ({ source: m, target: m, mode: 'rw' as const })))
    .withExposedPorts(CONTAINER_PORT)
    .withUser('postgres')
    .withLabels({ [MANAGED_LABEL]: 'true', 'pgdrill.instance': spec.name, 'pgdrill.workdir': ctx.workDir, 'pgdrill.owner': ownerLabel(currentOwner()) })
    .withCommand(['bash', '-c', `echo pgdrill-starting; exec postgres -D '${spec.dataDir}' >> '${spec.logFile}' 2>&1`])
    .withWaitStrategy(Wait.forLogMessage('pgdrill-starting'))
    .withStartupTimeout(60_000)
    .start();
  try {
    const ready = await waitUntilReady({
      name: spec.name,
      dataDir: spec.dataDir,
      logFile: spec.logFile,
      deadlineMs: spec.deadlineMs,
      signal: ctx.signal,
      startedAt,
      logOffset,
      alive: () => containerRunning(container.getId()),
    });
    return { container, ready };
  } catch (error) {
    await container.stop({ timeout: 1 }).catch(() => undefined);
    throw error;
  }
}

export async function containerRunning(id: string): Promise<boolean> {
  const r = await execa('docker', ['inspect', '-f', '{{.State.Running}}', id], { reject: false });
  return r.stdout.trim() === 'true';
}

export class DockerInstance extends InstanceBase {
  readonly socketDir = undefined;

  constructor(
    name: string,
    private container: StartedTestContainer,
    dataDir: string,
    logFile: string,
    password: string,
    ready: ReadyEvent,
    private readonly ctx: ProviderContext,
    private readonly spec: ContainerSpec,
  ) {
    super(name, dataDir, logFile, password, ready);
  }

  /** The host port mapped to the container's 5432 (it changes on restart). */
  get port(): number {
    return this.container.getMappedPort(CONTAINER_PORT);
  }

  private async shutdown(mode: StopMode): Promise<void> {
    // pg_ctl first (docker stop would send SIGTERM: a smart shutdown that waits for clients).
    await this.container.exec(['pg_ctl', 'stop', '-D', this.dataDir, '-m', mode, '-w', '-t', '30'], { user: 'postgres' }).catch(() => undefined);
  }

  protected async doStop(mode: StopMode): Promise<void> {
    try {
      await this.shutdown(mode);
      await this.container.stop({ timeout: 5 });
    } finally {
      if (existsSync(this.logFile)) writeFileSync(path.join(this.ctx.logDir, `${this.name}-server.log`), this.ctx.runner.redact(readFileSync(this.logFile, 'utf8')));
    }
  }

  async crash(): Promise<void> {
    await execa('docker', ['kill', '--signal', 'KILL', this.container.getId()], { reject: false });
    await this.container.stop({ timeout: 1 }).catch(() => undefined);
  }

  async restart(whileStopped: () => Promise<void>): Promise<void> {
    await this.shutdown('fast');
    await this.container.stop({ timeout: 5 });
    await whileStopped();
    const { container } = await startServerContainer(this.ctx, this.spec, fileSize(this.logFile));
    this.container = container;
  }
}
