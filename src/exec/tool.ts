// Child processes outside a drill's session (the CLI's own work: the binaries' versions, the evidence store's git,
// the binary cache's npm, the container engine at exit). The same rules as the drill's CommandRunner: an argv
// array and no shell, the allow-listed environment (child-env.ts), a timeout, a cancel signal, and a failure
// that says what ran and what it printed.
import { spawnSync } from 'node:child_process';
import { EnvironmentError, StepFailedError } from '../errors.js';
import { childEnv } from './child-env.js';

export interface ToolOptions {
  /** How long it may take; a tool that takes longer is killed (SIGTERM, then SIGKILL). */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Variables on top of the allow-list (a token for git, npm's registry settings). */
  env?: Record<string, string | undefined> | undefined;
  /** Where the allow-listed variables come from (default: pgdrill's environment). */
  from?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
  /** Return the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean | undefined;
  /** What to do when the program is not installed (an EnvironmentError says so). */
  install?: string | undefined;
}

export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function failure(file: string, args: readonly string[], r: { exitCode?: number | undefined; timedOut?: boolean; stdout?: unknown; stderr?: unknown }, timeoutMs: number): StepFailedError {
  const output = `${String(r.stderr ?? '')}\n${String(r.stdout ?? '')}`.trim();
  const command = [file, ...args].join(' ');
  const what = r.timedOut ? `${file} timed out after ${Math.round(timeoutMs / 1000)}s` : `${file} failed with exit code ${r.exitCode ?? '?'}`;
  return new StepFailedError(`${what}: ${output.split('\n').at(-1) ?? ''}`, { command, exitCode: r.exitCode, timedOut: r.timedOut ?? false, outputTail: output.split('\n').slice(-15).join('\n'), durationSeconds: 0 });
}

export async function runTool(file: string, args: readonly string[], o: ToolOptions): Promise<ToolResult> {
  // Loaded here, not with the module: a CLI start (--help, validate) never pays for execa's hundred modules.
  const { execa } = await import('execa');
  const r = await execa(file, args, {
    env: childEnv(o.env, o.from),
    extendEnv: false,
    timeout: o.timeoutMs,
    forceKillAfterDelay: 3000,
    reject: false,
    stdin: 'ignore',
    maxBuffer: 64 * 1024 * 1024,
    ...(o.signal ? { cancelSignal: o.signal } : {}),
    ...(o.cwd ? { cwd: o.cwd } : {}),
  });
  if ((r.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw notInstalled(file, o);
  const result = { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  if (r.exitCode !== 0 && !o.allowFailure) throw failure(file, args, r, o.timeoutMs);
  return result;
}

function notInstalled(file: string, o: ToolOptions): EnvironmentError {
  return new EnvironmentError(`${file} is not installed (not found on PATH)`, o.install ?? `install ${file}`);
}

/** The same, synchronously: for start-up facts (a binary's version) and the last cleanup while the process exits. */
export function runToolSync(file: string, args: readonly string[], o: Omit<ToolOptions, 'signal'>): ToolResult {
  // node's own spawnSync (no shell, an argv array): execa's modules are not loaded for a start-up fact.
  const r = spawnSync(file, args, { env: childEnv(o.env, o.from), timeout: o.timeoutMs, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...(o.cwd ? { cwd: o.cwd } : {}) });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw notInstalled(file, o);
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  const exitCode = r.status ?? -1;
  const result = { exitCode, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (exitCode !== 0 && !o.allowFailure) throw failure(file, args, { exitCode, timedOut, stdout: r.stdout, stderr: r.stderr }, o.timeoutMs);
  return result;
}
