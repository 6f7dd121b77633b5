// One drill on the docker provider: the same drill, run by the pgdrill inside a disposable container of the
// pgdrill image (with its local provider there), so verdicts, check names and numbers mean what they mean here.
// In: the drill's files as a tar stream, its environment as a 0600 file the container reads and deletes, an
// existing backup mounted read-only. Out: the drill's folder (result, logs) as a tar stream. The container has no
// network when the drill reaches nothing, one of its own when it reaches elsewhere, and is removed, with that
// network and its volume, on every path.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isSourceDrill, type AnyDrill, type DrillOverrides } from '../drill/drill.js';
import { EnvironmentError } from '../errors.js';
import { resultSchema, type DrillResult } from '../model/result-schema.js';
import type { DockerSandbox } from '../providers/docker/docker-sandbox.js';
import { managedLabels } from '../providers/docker/engine.js';
import { interruptedBy } from './conclude.js';
import type { ContainerInputs } from './container-inputs.js';
import type { PhaseListener } from './timeline.js';

const OUT = '/work/out';
/** The inner drill's work folders: a volume of the drill's own, not the container's overlay layer (initdb alone writes
 * 25% slower through overlayfs here), removed with the container. */
const WORK = '/var/lib/pgdrill/work';
const ENV_FILE = '/run/pgdrill/env';
const READY = 'pgdrill: sandbox ready';
/** How long the drill inside may take to stop after SIGTERM before it is killed (it stops its servers). */
const STOP_GRACE_MS = 60_000;

/**
 * Reads the variables and deletes their file; gives the server user the ids of an existing backup's owner (it
 * must read what it may read on the host); then the drill, its stdout dropped (the result comes out as a file).
 */
const SCRIPT = `set -e
chmod 1777 ${WORK}
if [ -f ${ENV_FILE} ]; then set -a; . ${ENV_FILE}; set +a; rm -f ${ENV_FILE}; fi
if [ -n "\${PGDRILL_SANDBOX_UID:-}" ] && [ "$PGDRILL_SANDBOX_UID" != "$(id -u postgres)" ]; then
  getent group "$PGDRILL_SANDBOX_GID" >/dev/null || groupadd -o -g "$PGDRILL_SANDBOX_GID" pgdrill-backup
  useradd -o -u "$PGDRILL_SANDBOX_UID" -g "$PGDRILL_SANDBOX_GID" -M -d /var/lib/postgresql -s /bin/sh -K UID_MIN=1 -K GID_MIN=1 pgdrill-backup
  export PGDRILL_OS_USER=pgdrill-backup
fi
unset PGDRILL_SANDBOX_UID PGDRILL_SANDBOX_GID
echo '${READY}' >&2
exec pgdrill "$@" >/dev/null`;

export interface ContainerRunOptions {
  runId: string;
  drillDir: string;
  signal: AbortSignal;
  listener?: PhaseListener | undefined;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The overrides the drill was validated with, as the pgdrill inside must apply them (its provider is local). */
function overridesInside(drill: AnyDrill): DrillOverrides {
  return { ...drill.overrides, provider: 'local', by: drill.overrides?.by ?? 'the docker provider' };
}

/** `inputs`: containerInputs(drill), read before anything started. */
export async function runInContainer(drill: AnyDrill, sandbox: DockerSandbox, inputs: ContainerInputs, opts: ContainerRunOptions): Promise<{ result: DrillResult; exitCode: number }> {
  const { GenericContainer, Wait } = await import('../providers/docker/testcontainers.js');
  const reason = await sandbox.describe();
  const engine = await sandbox.connected();
  const labels = managedLabels(drill.name);
  const env = { ...inputs.env, ...(inputs.owner ? { PGDRILL_SANDBOX_UID: String(inputs.owner.uid), PGDRILL_SANDBOX_GID: String(inputs.owner.gid) } : {}) };
  const envFile = Object.entries(env)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `${k}=${shellQuote(v)}\n`)
    .join('');
  const last: string[] = [];
  // Loopback: the host's network. Nothing: no network at all (the container's own loopback only), nothing to create
  // or remove. Elsewhere: a bridge network of its own.
  const network =
    inputs.reach === 'remote' ? await engine.client.network.create({ Name: `pgdrill-${opts.runId}-${Math.random().toString(36).slice(2, 8)}`, Driver: 'bridge', Labels: labels }) : undefined;
  const docker = engine.client.container.dockerode;
  const volume = `pgdrill-${opts.runId}-${Math.random().toString(36).slice(2, 8)}`;
  let started: Awaited<ReturnType<InstanceType<typeof GenericContainer>['start']>> | undefined;
  try {
    await docker.createVolume({ Name: volume, Labels: labels });
    started = await new GenericContainer(sandbox.image)
      .withEntrypoint(['/bin/sh', '-c', SCRIPT, 'pgdrill-sandbox'])
      .withCommand(['run', drill.file, '--out', OUT, '--work-dir', WORK, '--sandboxed', JSON.stringify(overridesInside(drill))])
      .withLabels(labels)
      .withNetworkMode(network ? ((await network.inspect()) as { Name: string }).Name : inputs.reach === 'none' ? 'none' : 'host')
      .withCopyFilesToContainer(inputs.files.map((f) => ({ source: f, target: f })))
      .withCopyContentToContainer([{ content: envFile, target: ENV_FILE, mode: 0o600 }])
      .withBindMounts([...inputs.readOnly.map((p) => ({ source: p, target: p, mode: 'ro' as const })), { source: volume, target: WORK, mode: 'rw' as const }])
      .withWaitStrategy(Wait.forLogMessage(READY))
      .withStartupTimeout(120_000)
      .withLogConsumer((stream) => {
        createInterface({ input: stream as Readable }).on('line', (line) => {
          if (line === READY) return;
          last.push(line);
          if (last.length > 20) last.shift();
          opts.listener?.relay?.(line);
        });
      })
      .start();
    const container = engine.client.container.getById(started.getId());
    let killer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      // The signal this run received, so the drill inside ends the way it would here (130 or 143).
      void container.kill({ signal: interruptedBy(opts.signal) }).catch(() => undefined);
      killer = setTimeout(() => void container.kill({ signal: 'SIGKILL' }).catch(() => undefined), STOP_GRACE_MS);
    };
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
    let exitCode: number;
    try {
      exitCode = ((await container.wait()) as { StatusCode: number }).StatusCode;
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
      clearTimeout(killer);
    }
    const result = await copyResultOut(started, opts);
    if (!result) {
      throw new EnvironmentError(`the drill's container exited ${exitCode} without a result; its last lines:\n${last.join('\n')}`, `run it with --provider local to see more, or check the image ${sandbox.image}`);
    }
    result.drill.name = drill.name;
    // Paths the drill inside named (a command log in the diagnosis) are where the copy landed here.
    if (result.diagnosis) result.diagnosis = result.diagnosis.replace(/\/work\/out\/[^/\s]+\/[^/\s]+/g, opts.drillDir);
    const inside = result.environment.binDir ? `servers from ${result.environment.binDir} in the container` : 'servers from the image';
    result.environment.providerReason = `${reason}; ${inside}${result.environment.serverUser ? ` as ${result.environment.serverUser}` : ''}`;
    result.environment.provider = 'docker';
    result.environment.image = { name: sandbox.image, ...(sandbox.imageId ? { id: sandbox.imageId } : {}) };
    // Inside, the user's paths are mounted read-only by the engine (whatever the drill inside could probe).
    if (inputs.readOnly.length > 0 && isSourceDrill(drill)) result.readOnly = { enforced: true, how: 'container read-only mounts', paths: inputs.readOnly };
    result.environment.host = `container ${result.environment.host} on ${os.hostname()}`;
    return { result, exitCode };
  } finally {
    await started?.stop({ remove: true, removeVolumes: true, timeout: 0 }).catch(() => undefined);
    await docker.getVolume(volume).remove({ force: true }).catch(() => undefined);
    if (network) await engine.client.network.remove(network).catch(() => undefined);
  }
}

/**
 * The drill's folder of the run inside (result.json, logs/), unpacked straight into this run's drill folder, its
 * result read there. The archive is out/<run>/<drill>/…: only what lies below a drill folder is taken, only plain
 * files and folders (no link the image could plant), nothing outside the drill folder (node-tar refuses `..`).
 */
async function copyResultOut(container: { copyArchiveFromContainer(p: string): Promise<NodeJS.ReadableStream> }, opts: ContainerRunOptions): Promise<DrillResult | undefined> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await container.copyArchiveFromContainer(OUT);
  } catch {
    return undefined;
  }
  // The engine's archive is a tar stream: unpacked in process (node-tar), no child to outlive us.
  const { extract } = await import('tar');
  const depth = 3; // out/ <run>/ <drill>/
  await pipeline(
    Readable.from(archive as AsyncIterable<Buffer>),
    extract({
      cwd: opts.drillDir,
      strip: depth,
      filter: (p, entry) => p.split('/').filter(Boolean).length > depth && 'type' in entry && (entry.type === 'File' || entry.type === 'Directory'),
    }),
  );
  const file = path.join(opts.drillDir, 'result.json');
  if (!existsSync(file)) return undefined;
  return resultSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}
