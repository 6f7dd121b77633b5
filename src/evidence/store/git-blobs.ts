// An evidence store on a git branch (e.g. pgdrill-evidence of the same repository): a clone of that branch in
// a temporary folder, each push one commit on top, pushed without force, so history is never rewritten and a
// concurrent push fails instead of winning. A token comes from PGDRILL_GIT_TOKEN and reaches git through its
// environment (GIT_CONFIG_*: an HTTP header), never on a command line or in a URL pgdrill prints.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvironmentError, UsageError } from '../../errors.js';
import { runTool } from '../../exec/tool.js';
import type { Blobs } from './blobs.js';
import { FolderBlobs } from './folder-blobs.js';

export class GitBlobs implements Blobs {
  private constructor(
    readonly describe: string,
    private readonly dir: string,
    private readonly folder: FolderBlobs,
    private readonly branch: string,
    private readonly git: (args: string[]) => Promise<string>,
  ) {}

  static async open(spec: string, env: NodeJS.ProcessEnv): Promise<GitBlobs> {
    const hash = spec.lastIndexOf('#');
    if (hash < 0 || hash === spec.length - 1) throw new UsageError(`evidence store git+${redact(spec)}: name the branch after #, e.g. git+https://github.com/org/repo.git#pgdrill-evidence`);
    const remote = spec.slice(0, hash);
    const branch = spec.slice(hash + 1);
    const describe = `git ${redact(remote)} branch ${branch}`;
    const token = env['PGDRILL_GIT_TOKEN'];
    const auth = token
      ? { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraheader', GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}` }
      : {};
    const gitEnv = { ...auth, GIT_TERMINAL_PROMPT: '0', HOME: env['HOME'], GIT_AUTHOR_NAME: 'pgdrill', GIT_AUTHOR_EMAIL: 'pgdrill@localhost', GIT_COMMITTER_NAME: 'pgdrill', GIT_COMMITTER_EMAIL: 'pgdrill@localhost' };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-store-'));
    const git = async (args: string[]) => {
      const r = await runTool('git', ['-C', dir, ...args], { env: gitEnv, from: env, timeoutMs: 600_000, allowFailure: true, install: 'install git (Debian: apt-get install git)' });
      if (r.exitCode !== 0) {
        throw new EnvironmentError(`git ${args[0]} on ${describe} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}`, 'check the remote, the branch and PGDRILL_GIT_TOKEN (a token allowed to push)');
      }
      return r.stdout;
    };
    try {
      await git(['init', '-q']);
      await git(['remote', 'add', 'origin', remote]);
      const heads = await git(['ls-remote', '--heads', 'origin', branch]);
      if (heads.trim()) {
        await git(['fetch', '-q', 'origin', branch]);
        await git(['checkout', '-q', '-b', branch, 'FETCH_HEAD']);
      } else {
        await git(['checkout', '-q', '--orphan', branch]); // a new store: the branch starts with the first push
      }
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new GitBlobs(describe, dir, FolderBlobs.open(dir), branch, git);
  }

  async list(): Promise<string[]> {
    return (await this.folder.list()).filter((k) => !k.startsWith('.git/'));
  }

  get(key: string): Promise<Buffer> {
    return this.folder.get(key);
  }

  put(key: string, data: Buffer): Promise<void> {
    return this.folder.put(key, data);
  }

  remove(key: string): Promise<void> {
    return this.folder.remove(key);
  }

  async finish(message: string): Promise<void> {
    await this.git(['add', '-A']);
    if (!(await this.git(['status', '--porcelain'])).trim()) return;
    await this.git(['commit', '-q', '-m', message]);
    await this.git(['push', '-q', 'origin', `HEAD:refs/heads/${this.branch}`]);
  }

  async history(key: string): Promise<Array<{ version: string; bytes: Buffer }>> {
    const commits = (await this.git(['log', '--format=%H', '--reverse', '--', key]).catch(() => '')).split('\n').filter(Boolean);
    const out: Array<{ version: string; bytes: Buffer }> = [];
    // git's output loses its final newline on the way here; pgdrill writes every head with exactly one.
    for (const c of commits) {
      const text = await this.git(['show', `${c}:${key}`]).catch(() => '');
      if (text) out.push({ version: c, bytes: Buffer.from(`${text}\n`) });
    }
    return out;
  }

  async position(): Promise<string | undefined> {
    return (await this.git(['rev-parse', 'HEAD']).catch(() => '')).trim() || undefined;
  }

  /** The commit is in the branch's history: no forced push removed it. */
  async contains(commit: string): Promise<boolean> {
    return this.git(['merge-base', '--is-ancestor', commit, 'HEAD']).then(
      () => true,
      () => false,
    );
  }

  async close(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A remote as pgdrill may print it: credentials in the URL replaced. */
function redact(remote: string): string {
  return remote.replace(/\/\/[^@/]*@/, '//***@');
}
