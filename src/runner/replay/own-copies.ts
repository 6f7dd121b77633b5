// A restored data folder may hold symbolic links to the source host's files: a pg_hba.conf or postgresql.conf
// linked to /etc (a plain backup copied with cp -a keeps them), a log folder linked to /var/log. Whatever then
// writes into the folder (the sandbox's configuration, the provider's settings, the server itself) would write
// through them. Before anything writes, each link that leads outside the work folder is replaced by a copy of
// what it points to; links into the work folder (tablespaces pgdrill remapped) stay.
import { lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { CommandRunner } from '../../exec/command-runner.js';

/** Links below `dataDir` leading outside `workDir` (a link is not followed into). */
export function linksOutside(dataDir: string, workDir: string): string[] {
  const work = realpathSync(workDir);
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isSymbolicLink()) {
        const target = path.resolve(dir, readlinkSync(full));
        if (target !== work && !target.startsWith(`${work}${path.sep}`)) found.push(full);
      } else if (e.isDirectory()) walk(full);
    }
  };
  if (lstatSync(dataDir).isDirectory()) walk(dataDir);
  return found;
}

/** Replaces each link leading outside the work folder with a copy (as the server user); returns what it replaced. */
export async function ownCopies(dataDir: string, workDir: string, runner: CommandRunner): Promise<Array<{ link: string; target: string }>> {
  const replaced: Array<{ link: string; target: string }> = [];
  for (const link of linksOutside(dataDir, workDir)) {
    const target = path.resolve(path.dirname(link), readlinkSync(link));
    const copy = `${link}.pgdrill-copy`;
    // -L: the copy holds what the link points to, not another link; a dangling link becomes nothing at all.
    const r = await runner.run('cp', ['-RL', '--preserve=mode,timestamps', target, copy], { label: `copy-linked-${path.basename(link)}`, asServerUser: true, allowFailure: true });
    await runner.run('rm', ['-f', link], { label: `unlink-${path.basename(link)}`, asServerUser: true });
    if (r.exitCode === 0) await runner.run('mv', [copy, link], { label: `own-${path.basename(link)}`, asServerUser: true });
    replaced.push({ link: path.relative(dataDir, link), target });
  }
  return replaced;
}
