import { expect } from 'chai';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../test-support/temp-dirs.js';
import { pathFor } from './command-runner.js';

describe('PATH for the server user', () => {
  it('keeps only the folders the user may enter (root\'s own ~/.pyenv/shims is not one of them)', () => {
    const dir = tempDir('pgdrill-path-');
    chmodSync(dir, 0o755);
    mkdirSync(path.join(dir, 'private', 'shims'), { recursive: true });
    chmodSync(path.join(dir, 'private'), 0o700);
    mkdirSync(path.join(dir, 'open'), { mode: 0o755 });
    const other = { name: 'nobody-here', uid: 4242, gid: 4242 };
    expect(pathFor(`${dir}/private/shims:${dir}/open:/usr/bin`, other)).to.equal(`${dir}/open:/usr/bin`);
  });
});
