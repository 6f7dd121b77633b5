// The never-write promise held by the kernel: a tool that tries to write into a path held read-only fails with
// "Read-only file system" instead of writing, as root (a mount namespace, then the server user) and the way
// pgdrill takes when it is not root (bubblewrap; a whole drill as a real unprivileged user is in
// read-only-non-root), and a server started inside keeps the paths read-only after its start command returns.
import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CommandRunner } from './command-runner.js';
import { resolveServerUser } from './os-user.js';
import { readOnlyGuard, type ReadOnlyGuard } from './read-only.js';
import { Redactor } from './redactor.js';
import { asRoot } from '../test-support/host.js';
import { tempDir } from '../test-support/temp-dirs.js';
import { hashes } from '../test-support/file-hashes.js';

describe('read-only enforced at run time (the user\'s paths, for every child of a drill)', function () {
  this.timeout(60_000);
  let dir: string;
  let user: ReturnType<typeof resolveServerUser>;
  beforeEach(() => {
    dir = tempDir('pgdrill-ro-');
    chmodSync(dir, 0o777);
    mkdirSync(path.join(dir, 'backup'), { mode: 0o777 });
    writeFileSync(path.join(dir, 'backup', 'base.tar'), 'the user\'s bytes');
    chmodSync(path.join(dir, 'backup'), 0o777);
    mkdirSync(path.join(dir, 'work'), { mode: 0o777 });
    chmodSync(path.join(dir, 'work'), 0o777);
    user = resolveServerUser();
  });

  const runner = (guard: ReadOnlyGuard) =>
    new CommandRunner({ logDir: path.join(dir, 'logs'), signal: new AbortController().signal, redactor: new Redactor(), serverUser: user, defaultTimeoutMs: 20_000, cwd: path.join(dir, 'work'), readOnly: guard });

  const ways: Array<{ name: string; root: boolean }> = [
    ...(asRoot ? [{ name: 'as root: a private mount namespace, the tool run as the server user', root: true }] : []),
    { name: 'bubblewrap, the way pgdrill takes when it is not root', root: false },
  ];
  for (const way of ways) {
    it(`${way.name}: a write into the backup fails, the work folder is writable, nothing changed`, async () => {
      const before = hashes(path.join(dir, 'backup'));
      const guard = await readOnlyGuard([path.join(dir, 'backup')], way.root);
      expect(guard, guard.why).to.deep.include({ enforced: true });
      const r = runner(guard);
      const tryWrite = await r.run('sh', ['-c', `echo x > '${dir}/backup/written'; touch '${dir}/backup/base.tar'; rm -f '${dir}/backup/base.tar'`], { label: 'try-write', asServerUser: true, allowFailure: true });
      expect(r.records.at(-1)?.command).to.match(/^sh -c/); // the report shows the command, not the wrapper
      expect(tryWrite.exitCode).not.to.equal(0);
      expect(tryWrite.stderr).to.contain('Read-only file system');
      const work = await r.run('sh', ['-c', `echo x > '${dir}/work/written' && id -un`], { label: 'write-work', asServerUser: true });
      expect(work.stdout.trim()).to.equal(user?.name ?? process.env['USER'] ?? work.stdout.trim());
      expect(existsSync(path.join(dir, 'work', 'written'))).to.equal(true);
      expect(readdirSync(path.join(dir, 'backup'))).to.deep.equal(['base.tar']);
      expect(hashes(path.join(dir, 'backup'))).to.deep.equal(before);
    });
  }

  it('where it cannot be enforced, says why (a path that does not exist is not held; none left means none enforced)', async () => {
    const none = await readOnlyGuard([path.join(dir, 'nowhere')]);
    expect(none).to.deep.include({ enforced: false, how: 'none' });
    expect(none.why).to.contain('names no path on this host');
  });
});
