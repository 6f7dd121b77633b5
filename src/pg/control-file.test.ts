import { expect } from 'chai';
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../test-support/temp-dirs.js';
import { own, sh } from '../test-support/host.js';

const initdb = path.join(process.env['PG_BIN'] ?? '/usr/lib/postgresql/15/bin', 'initdb');
import { walSegmentSize } from './control-file.js';

describe('pg_control: the WAL segment size a cluster was created with', function () {
  this.timeout(60_000);
  for (const mb of [1, 16, 64]) {
    it(`initdb --wal-segsize=${mb}: ${mb} MB`, () => {
      const dir = tempDir('pgdrill-control-');
      chmodSync(dir, 0o755);
      const data = path.join(dir, 'data');
      own(data);
      sh(initdb, ['-D', data, '--wal-segsize', String(mb), '-A', 'trust', '-U', 'postgres'], { cwd: dir });
      expect(walSegmentSize(readFileSync(path.join(data, 'global', 'pg_control')))).to.equal(mb * 1024 * 1024);
    });
  }
  it('bytes that are not a control file: undefined', () => {
    expect(walSegmentSize(Buffer.alloc(8192))).to.equal(undefined);
  });
});
