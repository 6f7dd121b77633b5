// The user's backup, archive, repository and configuration, read-only for every child of a drill of an existing
// backup, the sandbox server and its restore_command included: the never-write promise enforced by the kernel,
// not only kept by pgdrill's code. As root: a private mount namespace where each path is bind-mounted read-only
// (unshare), the command then run as the server user (setpriv); as another user: bubblewrap, the same read-only
// binds in a user namespace. A server started inside keeps the namespace after pg_ctl returns. Where neither can
// run, the drill says so ("read-only enforced: no, because ...") and goes on as before.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { OsUser } from './os-user.js';
import { runTool } from './tool.js';

export interface ReadOnlyGuard {
  enforced: boolean;
  /** How it is enforced, or 'none'. */
  how: 'mount namespace (unshare)' | 'bubblewrap' | 'container read-only mounts' | 'none';
  /** The paths held read-only. */
  paths: string[];
  /** Why it is not enforced. */
  why?: string;
}

/** Set by the docker provider for the pgdrill inside its container, whose source paths the engine mounted read-only. */
export const READ_ONLY_BY = 'PGDRILL_READ_ONLY_BY';

/**
 * Mounts each path read-only over itself (the arguments before --), then runs what follows --. One `mount` a path:
 * util-linux (2.27 and later) makes the bind and its read-only remount in one process; the probe below proves the
 * result read-only, so a mount that ignored `ro` leaves the guard unenforced, not silently writable.
 */
const RO_MOUNTS = 'for p; do [ "$p" = -- ] && break; mount --bind -o ro -- "$p" "$p" || exit 97; done; while [ "$1" != -- ]; do shift; done; shift; exec "$@"';

/** Run inside the guard: exits 98 naming the first path still writable (access(2) says EROFS for a read-only mount, root included). */
const STILL_WRITABLE = 'for p; do if [ -w "$p" ]; then echo "still writable: $p" >&2; exit 98; fi; done';

/** Whether the paths can be held read-only here, and how: probed once, with the real tools. */
export async function readOnlyGuard(paths: readonly string[], root = process.getuid?.() === 0, env: NodeJS.ProcessEnv = process.env): Promise<ReadOnlyGuard> {
  const held = [...new Set(paths.filter((p) => path.isAbsolute(p) && existsSync(p)))];
  if (held.length === 0) return { enforced: false, how: 'none', paths: [], why: 'the source names no path on this host (object storage only)' };
  // The docker provider's drill inside its container: the engine mounted these paths read-only.
  if (env[READ_ONLY_BY] === 'container') return { enforced: true, how: 'container read-only mounts', paths: held };
  const probeArgs = ['-c', STILL_WRITABLE, 'pgdrill-read-only-probe', ...held];
  const probe = wrapArgs({ enforced: true, how: root ? 'mount namespace (unshare)' : 'bubblewrap', paths: held }, 'sh', probeArgs, undefined);
  try {
    const r = await runTool(probe.file, probe.args, { timeoutMs: 10_000, allowFailure: true });
    if (r.exitCode === 0) return { enforced: true, how: root ? 'mount namespace (unshare)' : 'bubblewrap', paths: held };
    return { enforced: false, how: 'none', paths: held, why: `${probe.file} could not make them read-only here: ${(r.stderr || r.stdout).trim().split('\n').at(-1) ?? `exit ${r.exitCode}`}` };
  } catch (error) {
    return { enforced: false, how: 'none', paths: held, why: root ? `unshare failed: ${(error as Error).message}` : `bubblewrap (bwrap) is not installed (${(error as Error).message.split('\n')[0]}): install it (Debian: apt-get install bubblewrap)` };
  }
}

/**
 * The command that runs `file args` with the guard's paths read-only. `user`: run as that user (root only: the
 * switch happens inside, after the mounts); the caller then starts the wrapper as itself.
 */
export function wrapArgs(guard: ReadOnlyGuard, file: string, args: readonly string[], user: OsUser | undefined): { file: string; args: string[] } {
  // The engine's read-only mounts hold them already (the pgdrill inside a container): nothing to wrap.
  if (!guard.enforced || guard.paths.length === 0 || guard.how === 'container read-only mounts') return { file, args: [...args] };
  if (guard.how === 'bubblewrap') {
    return { file: 'bwrap', args: ['--dev-bind', '/', '/', ...guard.paths.flatMap((p) => ['--ro-bind', p, p]), '--', file, ...args] };
  }
  const as = user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--'] : [];
  return { file: 'unshare', args: ['--mount', '--propagation', 'private', '--', 'sh', '-c', RO_MOUNTS, 'pgdrill-read-only', ...guard.paths, '--', ...as, file, ...args] };
}
