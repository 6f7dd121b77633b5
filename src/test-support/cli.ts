// Runs the built CLI as a user would (node bin/pgdrill.js ...) and watches for leftovers.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultSchema, type DrillResult } from '../model/result-schema.js';
import { tempDir } from './temp-dirs.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin', 'pgdrill.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A fresh folder for a test's output and one for its disposable work folders (traversable by postgres). */
export function testFolders(): { out: string; work: string } {
  const base = tempDir('drilltest-');
  chmodSync(base, 0o755);
  return { out: path.join(base, 'reports'), work: base };
}

export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void; as?: { uid: number; gid: number; home: string } } = {},
): Promise<CliRun> {
  // CLI tests exercise the local provider unless they name one (the docker provider has its own tests).
  const argv = args[0] === 'run' && !args.includes('--provider') ? [...args, '--provider', 'local'] : args;
  return new Promise((resolve, reject) => {
    // Another OS user with its groups (docker among them): setpriv execs, so signals reach pgdrill itself.
    const other = opts.as && opts.as.uid !== process.getuid?.();
    const [cmd, cmdArgs] = other && opts.as ? ['setpriv', [`--reuid=${opts.as.uid}`, `--regid=${opts.as.gid}`, '--init-groups', process.execPath, BIN, ...argv]] : [process.execPath, [BIN, ...argv]];
    const child = spawn(cmd, cmdArgs, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...(opts.as ? { HOME: opts.as.home } : {}), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Postgres processes whose command line mentions the folder (postmasters are started with -D <folder>/...). */
export function postgresProcessesUnder(folder: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', folder], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes('postgres') && !l.includes('pgrep'));
  } catch {
    return [];
  }
}

/** Every postgres process on the machine (children of a postmaster are renamed "postgres: ..."). */
export function allPostgresProcesses(): string[] {
  try {
    return execFileSync('pgrep', ['-a', 'postgres'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** pgdrill's work folders left in a work root. */
export function workFoldersLeft(work: string): string[] {
  return readdirSync(work).filter((f) => f.startsWith('pgdrill-'));
}

/** The result.json of the one drill of the one run written into `out`, validated against the schema. */
export function onlyResult(out: string): DrillResult {
  const run = readdirSync(out, { withFileTypes: true }).find((e) => e.isDirectory())?.name as string;
  const drill = readdirSync(path.join(out, run), { withFileTypes: true }).find((e) => e.isDirectory() && e.name !== 'evidence')?.name as string;
  return resultSchema.parse(JSON.parse(readFileSync(path.join(out, run, drill, 'result.json'), 'utf8')));
}
