// The one wrapper that runs every child process: argv array (no shell), per-step timeout, the drill's
// AbortSignal, output captured to the run's log folder, secrets redacted, and a record for the report.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { InterruptedError, StepFailedError } from '../errors.js';
import { childEnv } from './child-env.js';
import type { OsUser } from './os-user.js';
import { wrapArgs, type ReadOnlyGuard } from './read-only.js';
import type { Redactor } from './redactor.js';

export interface RunOptions {
  /** Short name for logs and errors, e.g. "pg_basebackup". */
  label: string;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** Run as the unprivileged server user (server-side tools: initdb, pg_ctl, cp of data folders). */
  asServerUser?: boolean;
  /** Exit codes that are not failures (e.g. pg_checksums). */
  okExitCodes?: number[];
  /** Return the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  /** Called with the child's stderr as it comes (a tool's own progress report), besides the captured copy. */
  onStderr?(text: string): void;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  seconds: number;
  logFile: string;
}

/** What the report shows for each command: the exact argv (redacted), exit code and time. */
export interface CommandRecord {
  label: string;
  command: string;
  exitCode: number | null;
  seconds: number;
  logFile: string;
}

export interface CommandRunnerOptions {
  logDir: string;
  signal: AbortSignal;
  redactor: Redactor;
  serverUser: OsUser | undefined;
  defaultTimeoutMs: number;
  cwd: string;
  /** Variables every child of this drill gets on top of the allow-list (a provider's tool settings). */
  env?: Record<string, string>;
  /** The user's paths every child of this drill sees read-only (a drill of an existing backup). */
  readOnly?: ReadOnlyGuard | undefined;
}

export class CommandRunner {
  constructor(
    private readonly opts: CommandRunnerOptions,
    private readonly shared: { records: CommandRecord[]; counter: number } = { records: [], counter: 0 },
  ) {
    mkdirSync(opts.logDir, { recursive: true });
  }

  /** Every command run so far (shared with withoutAbort() runners). */
  get records(): CommandRecord[] {
    return this.shared.records;
  }

  /** A secret learned during the drill (a repository key read from the environment) joins the redaction list. */
  addSecret(secret: string | undefined): void {
    this.opts.redactor.add(secret);
  }

  /** Text with every known secret replaced (server logs copied into the run's output). */
  redact(text: string): string {
    return this.opts.redactor.redact(text);
  }

  /** The same runner for cleanup steps that must run after the drill was interrupted. */
  withoutAbort(): CommandRunner {
    return new CommandRunner({ ...this.opts, signal: new AbortController().signal }, this.shared);
  }

  /**
   * Starts a long-running child; it is recorded like any command, with its exit when stopped. It ends with the
   * drill (its cancel signal) and at the latest after `lifetimeMs`, a backstop should its owner never stop it.
   */
  spawn(file: string, args: string[], options: Omit<RunOptions, 'timeoutMs' | 'allowFailure' | 'okExitCodes'> & { lifetimeMs: number }): BackgroundProcess {
    const n = String(++this.shared.counter).padStart(3, '0');
    const logFile = path.join(this.opts.logDir, `${n}-${options.label.replace(/[^A-Za-z0-9_.-]+/g, '-')}.log`);
    const command = this.opts.redactor.redact([file, ...args].map(shellQuote).join(' '));
    const user = options.asServerUser ? this.opts.serverUser : undefined;
    const started = performance.now();
    const l = this.launch(file, args, user);
    const child = execa(l.file, l.args, {
      env: this.envFor(options.env, user),
      extendEnv: false,
      cwd: options.cwd ?? this.opts.cwd,
      reject: false,
      stdin: 'ignore',
      all: true,
      timeout: options.lifetimeMs,
      cancelSignal: this.opts.signal,
      forceKillAfterDelay: 3000,
      ...(l.uid !== undefined ? { uid: l.uid, gid: l.gid } : {}),
    });
    let exited = false;
    const done = child.then((result) => {
      exited = true;
      const seconds = (performance.now() - started) / 1000;
      writeFileSync(logFile, `$ ${command} &\n${this.opts.redactor.redact(String(result.all ?? ''))}\n# exit ${result.exitCode ?? result.signal ?? 'none'} after ${seconds.toFixed(3)}s\n`);
      this.shared.records.push({ label: options.label, command: `${command} &`, exitCode: result.exitCode ?? null, seconds, logFile });
    });
    return {
      pid: child.pid,
      logFile,
      running: () => !exited,
      stop: async () => {
        if (!exited) child.kill('SIGTERM');
        await done;
      },
    };
  }

  /** What to start, and as whom: through the read-only guard, which switches to the server user itself once its mounts are made. */
  private launch(file: string, args: string[], user: OsUser | undefined): { file: string; args: string[]; uid?: number; gid?: number } {
    const guard = this.opts.readOnly;
    if (guard?.enforced && guard.how !== 'container read-only mounts') {
      const asRoot = guard.how === 'mount namespace (unshare)';
      return { ...wrapArgs(guard, file, args, asRoot ? user : undefined), ...(!asRoot && user ? { uid: user.uid, gid: user.gid } : {}) };
    }
    return { file, args, ...(user ? { uid: user.uid, gid: user.gid } : {}) };
  }

  /** The allow-listed environment (child-env.ts), the drill's tool settings, then the command's own. */
  private envFor(own: Record<string, string> | undefined, user: OsUser | undefined): Record<string, string> {
    const identity = user ? { HOME: this.opts.cwd, USER: user.name, LOGNAME: user.name } : { HOME: process.env['HOME'], USER: process.env['USER'], LOGNAME: process.env['LOGNAME'] };
    const env = childEnv({ ...identity, ...this.opts.env, ...own });
    // The server user finds its programs on the folders of PATH it may enter (root's own, like ~/.pyenv, it may not).
    if (user && env['PATH']) env['PATH'] = pathFor(env['PATH'], user);
    return env;
  }

  async run(file: string, args: string[], options: RunOptions): Promise<CommandResult> {
    if (this.opts.signal.aborted) throw new InterruptedError();
    const { redactor } = this.opts;
    const n = String(++this.shared.counter).padStart(3, '0');
    const logFile = path.join(this.opts.logDir, `${n}-${options.label.replace(/[^A-Za-z0-9_.-]+/g, '-')}.log`);
    const command = redactor.redact([file, ...args].map(shellQuote).join(' '));
    const user = options.asServerUser ? this.opts.serverUser : undefined;
    const timeoutMs = options.timeoutMs ?? this.opts.defaultTimeoutMs;
    const started = performance.now();
    const l = this.launch(file, args, user);
    const child = execa(l.file, l.args, {
      env: this.envFor(options.env, user),
      extendEnv: false,
      cwd: options.cwd ?? this.opts.cwd,
      timeout: timeoutMs,
      cancelSignal: this.opts.signal,
      forceKillAfterDelay: 5000,
      reject: false,
      stdin: 'ignore',
      all: true,
      stripFinalNewline: true,
      ...(l.uid !== undefined ? { uid: l.uid, gid: l.gid } : {}),
    });
    const onStderr = options.onStderr;
    if (onStderr) child.stderr?.on('data', (chunk: Buffer) => onStderr(String(chunk)));
    const result = await child;
    const seconds = (performance.now() - started) / 1000;
    const all = redactor.redact(result.all ?? '');
    const exitCode = result.exitCode ?? null;
    writeFileSync(
      logFile,
      `$ ${command}\n${user ? `# as OS user ${user.name}\n` : ''}${this.opts.readOnly?.enforced ? `# read-only: ${this.opts.readOnly.paths.join(' ')} (${this.opts.readOnly.how})\n` : ''}${all}\n# exit ${exitCode ?? result.signal ?? 'none'} after ${seconds.toFixed(3)}s${result.timedOut ? ' (timed out)' : ''}\n`,
    );
    this.shared.records.push({ label: options.label, command, exitCode, seconds, logFile });

    if (result.isCanceled || this.opts.signal.aborted) throw new InterruptedError();
    const ok = exitCode === 0 || (exitCode !== null && (options.okExitCodes ?? []).includes(exitCode));
    if (!ok && !options.allowFailure) {
      const what = result.timedOut
        ? `${options.label} timed out after ${(timeoutMs / 1000).toFixed(0)}s`
        : exitCode === null
          ? `${options.label} was killed by ${result.signal ?? 'a signal'}`
          : `${options.label} failed with exit code ${exitCode}`;
      throw new StepFailedError(`${what}\n  command: ${command}\n  output (last lines):\n${indent(tail(all, 15))}`, {
        command,
        exitCode: exitCode ?? undefined,
        timedOut: result.timedOut,
        outputTail: tail(all, 15),
        durationSeconds: seconds,
        logFile,
      }, { cause: result.cause });
    }
    return {
      exitCode: exitCode ?? -1,
      stdout: redactor.redact(String(result.stdout ?? '')),
      stderr: redactor.redact(String(result.stderr ?? '')),
      seconds,
      logFile,
    };
  }
}

/** A long-running child (a WAL receiver): output goes to its log file; stop() ends it (SIGTERM, then SIGKILL). */
export interface BackgroundProcess {
  readonly pid: number | undefined;
  readonly logFile: string;
  /** Whether it is still running. */
  running(): boolean;
  stop(): Promise<void>;
}

export function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The folders of PATH whose every ancestor `user` may pass through (it owns them, or others may enter). */
export function pathFor(pathVar: string, user: OsUser): string {
  const enterable = (dir: string): boolean => {
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
      try {
        const st = statSync(d);
        if (!(st.uid === user.uid ? st.mode & 0o100 : st.gid === user.gid ? st.mode & 0o010 : st.mode & 0o001)) return false;
      } catch {
        return false;
      }
      if (d === path.dirname(d)) return true;
    }
  };
  return pathVar.split(':').filter((d) => d && enterable(d)).join(':');
}
