// Postgres refuses to run as root. When pgdrill runs as root, server processes and server-side tools run as
// an unprivileged OS user (postgres, or PGDRILL_OS_USER), the way Debian's pg_ctlcluster does.
import { runToolSync } from './tool.js';
import { chownSync, closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../errors.js';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** The user server processes run as, or undefined when pgdrill is not root (servers run as ourselves). */
export function resolveServerUser(env: NodeJS.ProcessEnv = process.env): OsUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const name = env['PGDRILL_OS_USER'] || 'postgres';
  try {
    // One `id` for both numbers (POSIX: "uid=101(postgres) gid=104(postgres) groups=..."), through NSS like any lookup.
    const out = runToolSync('id', [name], { timeoutMs: 10_000 }).stdout;
    const uid = Number(/\buid=(\d+)/.exec(out)?.[1] ?? Number.NaN);
    const gid = Number(/\bgid=(\d+)/.exec(out)?.[1] ?? Number.NaN);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`id ${name}: ${out.trim()}`);
    if (uid === 0) throw new EnvironmentError(`PGDRILL_OS_USER=${name} is root; Postgres refuses to run as root`, 'name an unprivileged user');
    return { name, uid, gid };
  } catch (error) {
    if (error instanceof EnvironmentError) throw error;
    throw new EnvironmentError(
      `pgdrill runs as root, and Postgres refuses to run as root, but the OS user "${name}" does not exist`,
      `create it (useradd --system --home-dir /var/lib/postgresql ${name}) or set PGDRILL_OS_USER to an unprivileged user`,
    );
  }
}

/** mkdir -p, then hand the folder to the server user (when running as root) with the given mode. */
export function makeOwnedDir(dir: string, user: OsUser | undefined, mode = 0o700): void {
  mkdirSync(dir, { recursive: true, mode });
  if (user) chownSync(dir, user.uid, user.gid);
}

/**
 * An empty file the server user owns (recovery.signal in a restored data folder), written by pgdrill itself: a
 * process of its own would cost more than the file. Like touch, a file already there stays (a tool may have written
 * it); a link there is refused, not followed.
 */
export function touchOwnedFile(file: string, user: OsUser | undefined, mode = 0o600): void {
  closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, mode));
  if (user) chownSync(file, user.uid, user.gid);
}

/** chown -R for a folder pgdrill created (never follows symlinks). */
export function chownTree(target: string, user: OsUser | undefined): void {
  if (!user) return;
  const st = lstatSync(target);
  chownSync(target, user.uid, user.gid);
  if (st.isDirectory()) {
    for (const entry of readdirSync(target)) chownTree(path.join(target, entry), user);
  }
}
