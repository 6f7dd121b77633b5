import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { restoreCommand } from '../sources/basebackup.js';
import { readWalFetch, stagedFirst, timedRestoreCommand } from './wal-fetch.js';
import { lastFetchedSegment, WalPrefetch } from './wal-prefetch.js';

const seg = (tl: number, n: number) => `${tl.toString(16).toUpperCase().padStart(8, '0')}00000000${n.toString(16).toUpperCase().padStart(8, '0')}`;

/** Waits (bounded) until the staging folder holds exactly `names`. */
async function stagedBecomes(stage: string, names: string[]): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const now = existsSync(stage) ? readdirSync(stage).sort() : [];
    if (JSON.stringify(now) === JSON.stringify(names)) return;
    await sleep(10);
  }
  expect(readdirSync(stage).sort()).to.deep.equal(names);
}

describe('staging archived WAL ahead of replay', () => {
  let dir: string;
  let archive: string;
  let stage: string;
  let log: string;
  let pgWal: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'walprefetch-'));
    archive = path.join(dir, 'archive');
    stage = path.join(dir, 'stage');
    pgWal = path.join(dir, 'pg_wal');
    log = path.join(dir, 'fetch.log');
    mkdirSync(archive);
    mkdirSync(pgWal);
    // Segments 1-6 of timeline 1 (5 gzipped, as `gzip` archive_commands leave them), 1-3 of timeline 2, a history file.
    for (let n = 1; n <= 6; n++) {
      const body = `tl1 segment ${n}`;
      if (n === 5) writeFileSync(path.join(archive, `${seg(1, n)}.gz`), gzipSync(body));
      else writeFileSync(path.join(archive, seg(1, n)), body);
    }
    for (let n = 1; n <= 3; n++) writeFileSync(path.join(archive, seg(2, n)), `tl2 segment ${n}`);
    writeFileSync(path.join(archive, '00000002.history'), '1\t0/3000000\tno recovery target specified\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** What the server does: run the restore_command pgdrill gives it, %f, %p and %% expanded (it logs the call). */
  const serverTakes = (command: string, name: string): number => {
    const expanded = command.replace(/%([fp%])/g, (_, c: string) => (c === 'f' ? name : c === 'p' ? path.join(pgWal, 'RECOVERYXLOG') : '%'));
    try {
      execFileSync('sh', ['-c', expanded], { stdio: 'ignore' });
      return 0;
    } catch (e) {
      return (e as { status: number }).status;
    }
  };
  const commandFor = (prefetch: WalPrefetch) => stagedFirst(timedRestoreCommand(restoreCommand(archive), log), prefetch.stage, log);

  it('follows the server: stages the segments after the one it took, on its timeline, gunzipped; the command renames them into place', async () => {
    const prefetch = new WalPrefetch(archive, stage, log, undefined, 3);
    const command = commandFor(prefetch);
    const before = readdirSync(archive).map((f) => [f, statSync(path.join(archive, f)).mtimeMs]);
    prefetch.start();
    try {
      // Nothing is staged before the server has taken a segment (its timeline is not known yet).
      await sleep(50);
      expect(readdirSync(stage)).to.deep.equal([]);
      expect(serverTakes(command, seg(1, 1))).to.equal(0);
      await stagedBecomes(stage, [seg(1, 2), seg(1, 3), seg(1, 4)]);
      // The next segment comes from the staging folder: moved, not copied, with the archive's bytes.
      expect(serverTakes(command, seg(1, 2))).to.equal(0);
      expect(readFileSync(path.join(pgWal, 'RECOVERYXLOG'), 'utf8')).to.equal('tl1 segment 2');
      // The window moves on; the gzipped segment 5 is staged as plain bytes.
      await stagedBecomes(stage, [seg(1, 3), seg(1, 4), seg(1, 5)]);
      expect(readFileSync(path.join(stage, seg(1, 5)), 'utf8')).to.equal('tl1 segment 5');
      // The server switches to timeline 2: what it left behind on timeline 1 is removed, timeline 2 is staged.
      expect(serverTakes(command, seg(2, 1))).to.equal(0);
      await stagedBecomes(stage, [seg(2, 2), seg(2, 3)]);
      // A file that is in no archive still fails, through the archive's own command.
      expect(serverTakes(command, seg(2, 9))).to.equal(1);
    } finally {
      const stats = await prefetch.stop();
      expect(stats.served).to.equal(1);
      expect(stats.staged).to.equal(6);
    }
    // The log the figures come from: the staged segment untimed, the fetched ones timed, the miss counted.
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines[1]).to.equal(`${seg(1, 2)} 0 staged`);
    expect(lines[0]).to.match(new RegExp(`^${seg(1, 1)} 0 \\d+ \\d+$`));
    expect(readWalFetch(log, true)).to.include({ fetched: 3, staged: 1, misses: 1 });
    expect(readWalFetch(log)?.staged).to.equal(undefined);
    expect(existsSync(stage)).to.equal(false);
    // The archive is only read.
    expect(readdirSync(archive).map((f) => [f, statSync(path.join(archive, f)).mtimeMs])).to.deep.equal(before);
  });

  it('a segment not staged yet is fetched by the archive\'s own command, and a late staged copy is dropped', async () => {
    const prefetch = new WalPrefetch(archive, stage, log, undefined, 2);
    const command = commandFor(prefetch);
    prefetch.start();
    try {
      // The server races ahead before anything is staged: every fetch still succeeds.
      for (let n = 1; n <= 4; n++) expect(serverTakes(command, seg(1, n))).to.equal(0);
      expect(readFileSync(path.join(pgWal, 'RECOVERYXLOG'), 'utf8')).to.equal('tl1 segment 4');
      await stagedBecomes(stage, [seg(1, 5), seg(1, 6)]);
    } finally {
      await prefetch.stop();
    }
  });

  it('reads the newest segment the server took from the timing log, not history files or misses', () => {
    writeFileSync(log, `00000002.history 1 1 2\n${seg(1, 7)} 0 1 2\n${seg(1, 8)} 1 1 2\n00000002.history 0 1 2\n`);
    expect(lastFetchedSegment(log)).to.equal(seg(1, 7));
    expect(lastFetchedSegment(path.join(dir, 'none'))).to.equal(undefined);
  });
});
