// One drill's disposable session: a marked work folder, the command runner every child goes through, and a
// cleanup stack. Disposing it stops everything that was deferred, in reverse order, then removes the folder;
// a step that fails does not stop the others and becomes a warning in the result, never an exception.
import os from 'node:os';
import path from 'node:path';
import type { BackupContext } from '../../tools/backup-method.js';
import { CommandRunner } from '../../exec/command-runner.js';
import { chownTree, type OsUser } from '../../exec/os-user.js';
import type { ReadOnlyGuard } from '../../exec/read-only.js';
import { Redactor } from '../../exec/redactor.js';
import { EnvironmentError } from '../../errors.js';
import type { Provider } from '../../providers/provider.js';
import { CleanupStack } from './cleanup-stack.js';
import { createWorkFolder, releaseWorkFolder } from './work-folders.js';

export interface SessionOptions {
  runId: string;
  logDir: string;
  provider: Provider;
  signal: AbortSignal;
  serverUser: OsUser | undefined;
  workRoot?: string | undefined;
  stepTimeoutMs: number;
  secrets: string[];
  /** The user's paths every child of the drill sees read-only (a drill of an existing backup). */
  readOnly?: ReadOnlyGuard | undefined;
}

export class DrillSession implements AsyncDisposable {
  readonly workDir: string;
  readonly runner: CommandRunner;
  readonly ctx: BackupContext;
  readonly warnings: string[] = [];
  private readonly cleanup = new CleanupStack();

  constructor(opts: SessionOptions) {
    const root = opts.workRoot ?? os.tmpdir();
    // The work folder is written to: never inside a path held read-only (the user's backup or archive).
    const inside = opts.readOnly?.paths.find((p) => path.resolve(root).startsWith(`${path.resolve(p)}${path.sep}`) || path.resolve(root) === path.resolve(p));
    if (inside) throw new EnvironmentError(`the work folder's parent ${root} is inside ${inside}, which the drill reads and must never write`, 'pass --work-dir (or PGDRILL_WORK_DIR) outside the backup, its archive and its repository');
    this.workDir = createWorkFolder(root, opts.runId);
    chownTree(this.workDir, opts.serverUser);
    const redactor = new Redactor();
    for (const s of opts.secrets) redactor.add(s);
    this.runner = new CommandRunner({
      logDir: path.join(opts.logDir, 'commands'),
      signal: opts.signal,
      redactor,
      serverUser: opts.serverUser,
      defaultTimeoutMs: opts.stepTimeoutMs,
      cwd: this.workDir,
      readOnly: opts.readOnly,
    });
    this.ctx = {
      workDir: this.workDir,
      logDir: opts.logDir,
      runner: this.runner,
      serverUser: opts.serverUser,
      signal: opts.signal,
      provider: opts.provider,
      archiveDir: path.join(this.workDir, 'archive'),
    };
  }

  /** Runs `step` when the session ends, on every path (after the steps deferred later). */
  defer(what: string, step: () => Promise<unknown> | unknown): void {
    this.cleanup.defer(what, step);
  }

  /** Idempotent. Never throws: failures are in `warnings`. */
  async dispose(): Promise<void> {
    for (const { what, error } of await this.cleanup.dispose()) {
      this.warnings.push(`cleanup: ${what} failed: ${(error as Error).message ?? String(error)}`);
    }
    try {
      await releaseWorkFolder(this.workDir);
    } catch (error) {
      this.warnings.push(`cleanup: the work folder ${this.workDir} could not be removed (${(error as Error).message}); run pgdrill cleanup`);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
