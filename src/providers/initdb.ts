// initdb as every provider runs it: checksums, scram-sha-256 with the generated password (through a 0600 file
// that is removed at once), superuser postgres, C locale.
import { chownSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeOwnedDir } from '../exec/os-user.js';
import type { ProviderContext } from './provider.js';

export async function runInitdb(ctx: ProviderContext, initdb: string, spec: { name: string; password: string }): Promise<string> {
  const instanceDir = path.join(ctx.workDir, spec.name);
  const dataDir = path.join(instanceDir, 'data');
  makeOwnedDir(instanceDir, ctx.serverUser);
  const pwfile = path.join(instanceDir, '.pwfile');
  writeFileSync(pwfile, `${spec.password}\n`, { mode: 0o600 });
  if (ctx.serverUser) chownSync(pwfile, ctx.serverUser.uid, ctx.serverUser.gid);
  try {
    await ctx.runner.run(
      initdb,
      ['-D', dataDir, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--data-checksums', '-E', 'UTF8', '--locale=C', '-N'],
      { label: `initdb-${spec.name}`, asServerUser: true },
    );
  } finally {
    rmSync(pwfile, { force: true });
  }
  return dataDir;
}
