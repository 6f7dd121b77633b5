// The Docker engine as the docker provider uses it, through testcontainers' runtime client (DOCKER_HOST, Docker
// Desktop, rootless Docker and Podman's Docker API alike): the image check, the labels every container and
// network of a drill carries, and the removal of what a killed run left. Nothing here needs root or a host
// folder shared with the engine.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { currentOwner, ownerAlive, ownerLabel, parseOwnerLabel } from '../../exec/ownership.js';
import { PGDRILL_VERSION } from '../../version.js';
import type { ContainerRuntimeClient } from 'testcontainers';
import { runToolSync } from '../../exec/tool.js';

export const MANAGED_LABEL = 'pgdrill.managed';
export const OWNER_LABEL = 'pgdrill.owner';

/** The image every docker drill runs in: pgdrill with PostgreSQL 15, pgBackRest, Barman and barman-cloud. */
export function defaultImage(env: NodeJS.ProcessEnv = process.env): string {
  return env['PGDRILL_IMAGE'] || `pgdrill/pgdrill:${PGDRILL_VERSION}`;
}

/** Labels of everything a drill creates in the engine: `pgdrill cleanup` finds them by these. */
export function managedLabels(drill: string): Record<string, string> {
  return { [MANAGED_LABEL]: 'true', [OWNER_LABEL]: ownerLabel(currentOwner()), 'pgdrill.drill': drill };
}

export interface Engine {
  client: ContainerRuntimeClient;
  /** Docker's (or Podman's) server version. */
  serverVersion: string;
}

/**
 * Cheap: is an engine configured at all (a variable, a socket, testcontainers' properties)? `auto` asks this
 * before loading testcontainers, so a machine without Docker pays nothing for the probe.
 */
export function engineConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['DOCKER_HOST'] || env['TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE']) return true;
  const home = os.homedir();
  const candidates = ['/var/run/docker.sock', path.join(home, '.docker', 'run', 'docker.sock'), path.join(home, '.testcontainers.properties'), ...(env['XDG_RUNTIME_DIR'] ? [path.join(env['XDG_RUNTIME_DIR'], 'docker.sock'), path.join(env['XDG_RUNTIME_DIR'], 'podman', 'podman.sock')] : [])];
  return candidates.some((f) => existsSync(f));
}

/** The engine testcontainers finds (DOCKER_HOST, the socket, Docker Desktop); exit 3 with the fix when none answers. */
export async function connectEngine(): Promise<Engine> {
  // Ryuk's image cannot be pulled without a registry; pgdrill removes its own containers (and `pgdrill cleanup`).
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  const { getContainerRuntimeClient } = await import('./testcontainers.js');
  try {
    const client = await getContainerRuntimeClient();
    return { client, serverVersion: String(client.info.containerRuntime.serverVersion) };
  } catch (error) {
    const said = ((error as Error).message ?? '').split('\n')[0] ?? '';
    throw new EnvironmentError(`no Docker engine answers (${said})`, 'start dockerd (scripts/docker-setup.sh does), join the docker group, set DOCKER_HOST, or use --provider local', { cause: error });
  }
}

/**
 * The image must hold this very pgdrill (the drill runs inside it, and its result must read here): present,
 * or pulled when a registry answers. Returns what its labels say.
 */
export async function checkImage(engine: Engine, image: string): Promise<{ pgdrillVersion: string; build: string | undefined; id: string }> {
  const { ImageName } = await import('./testcontainers.js');
  const name = ImageName.fromString(image);
  if (!(await engine.client.image.exists(name))) {
    try {
      await engine.client.image.pull(name);
    } catch {
      throw new EnvironmentError(`image ${image} is not present and cannot be pulled`, 'build it without a registry: bash scripts/setup.sh --docker (scripts/pgdrill-image.sh), or set PGDRILL_IMAGE');
    }
  }
  const inspected = await engine.client.image.inspect(name);
  const labels = inspected.Config?.Labels ?? {};
  const version = labels['pgdrill.version'];
  if (version !== PGDRILL_VERSION) {
    throw new EnvironmentError(
      `image ${image} holds ${version ? `pgdrill ${version}` : 'no pgdrill (no pgdrill.version label)'}, and this is pgdrill ${PGDRILL_VERSION}: the drill runs inside the image`,
      `use pgdrill/pgdrill:${PGDRILL_VERSION} (bash scripts/pgdrill-image.sh builds it), or set PGDRILL_IMAGE to an image of this version`,
    );
  }
  return { pgdrillVersion: version, build: labels['pgdrill.build'], id: inspected.Id };
}

export interface EngineSweep {
  removed: string[];
  alive: string[];
}

/**
 * Removes the containers, networks and volumes pgdrill labelled whose owning run is gone (killed with SIGKILL,
 * a CI timeout). Those of a run that is still alive, here or on another host sharing the engine, stay.
 */
export async function cleanupEngine(): Promise<EngineSweep> {
  let engine: Engine;
  try {
    engine = await connectEngine();
  } catch {
    return { removed: [], alive: [] };
  }
  const docker = engine.client.container.dockerode;
  const filters = JSON.stringify({ label: [`${MANAGED_LABEL}=true`] });
  const dead = (labels: Record<string, string> | undefined) => {
    const owner = parseOwnerLabel(labels?.[OWNER_LABEL]);
    return owner ? !ownerAlive(owner) : true;
  };
  const removed: string[] = [];
  const alive: string[] = [];
  for (const c of await docker.listContainers({ all: true, filters })) {
    if (!dead(c.Labels)) {
      alive.push(`container ${c.Id.slice(0, 12)}`);
      continue;
    }
    await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    removed.push(`container ${c.Id.slice(0, 12)}`);
  }
  for (const n of await docker.listNetworks({ filters })) {
    if (!dead(n.Labels)) {
      alive.push(`network ${n.Name}`);
      continue;
    }
    await docker.getNetwork(n.Id).remove().catch(() => undefined);
    removed.push(`network ${n.Name}`);
  }
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
    if (!dead(v.Labels ?? undefined)) {
      alive.push(`volume ${v.Name}`);
      continue;
    }
    await docker.getVolume(v.Name).remove({ force: true }).catch(() => undefined);
    removed.push(`volume ${v.Name}`);
  }
  return { removed, alive };
}

/**
 * Last resort while this process exits (a second Ctrl-C): removes what it labelled, synchronously, with the
 * docker client when one is installed; otherwise `pgdrill cleanup` finds it once this process is gone.
 */
export function removeOwnContainersSync(): void {
  const owner = `label=${OWNER_LABEL}=${ownerLabel(currentOwner())}`;
  const run = (args: string[]) => runToolSync('docker', args, { timeoutMs: 20_000 }).stdout.split('\n').filter(Boolean);
  try {
    const ids = run(['ps', '-aq', '--filter', owner]);
    if (ids.length > 0) run(['rm', '-f', '-v', ...ids]);
    const nets = run(['network', 'ls', '-q', '--filter', owner]);
    if (nets.length > 0) run(['network', 'rm', ...nets]);
    const volumes = run(['volume', 'ls', '-q', '--filter', owner]);
    if (volumes.length > 0) run(['volume', 'rm', '-f', ...volumes]);
  } catch {
    // No docker client, or the engine is gone: nothing more can be done while exiting.
  }
}
