import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readWalFetch, timedRestoreCommand } from './wal-fetch.js';

describe('timing restore_command', () => {
  it('uses no %-escape PostgreSQL does not know (17 refuses them), and logs each file as the server would run it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'walfetch-'));
    try {
      const log = path.join(dir, 'fetch.log');
      const command = timedRestoreCommand(`test "%f" = 000000010000000000000002`, log);
      // Every % is %f, %p or a doubled %% (what the server turns into one %).
      expect(command.replace(/%%|%f|%p/g, '')).not.to.contain('%');
      // What the server executes: %f replaced, %% made %.
      const run = (f: string) => {
        try {
          execFileSync('sh', ['-c', command.replace(/%f/g, f).replace(/%%/g, '%')]);
          return 0;
        } catch (e) {
          return (e as { status: number }).status;
        }
      };
      expect(run('000000010000000000000002')).to.equal(0);
      expect(run('000000010000000000000003')).to.equal(1);
      expect(readFileSync(log, 'utf8').trim().split('\n')).to.have.length(2);
      const fetch = readWalFetch(log);
      expect(fetch).to.deep.include({ fetched: 1, misses: 1 });
      expect(fetch?.seconds).to.be.greaterThan(0).and.below(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
