import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { restoreCommand } from '../../tools/pg-basebackup/restore.js';
import { readWalFetch, timedRestoreCommand, withPlaced } from './wal-fetch.js';
import { firstSegment, WalPrefetch } from './wal-prefetch.js';

const seg = (tl: number, n: number) => `${tl.toString(16).toUpperCase().padStart(8, '0')}00000000${n.toString(16).toUpperCase().padStart(8, '0')}`;

describe('placing archived WAL in pg_wal ahead of replay', () => {
  let dir: string;
  let archive: string;
  let stage: string;
  let log: string;
  let dataDir: string;
  let pgWal: string;
  /** Bytes of every fake segment (`tl1 segment 1`). */
  const SEGMENT = 13;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'walprefetch-'));
    archive = path.join(dir, 'archive');
    stage = path.join(dir, 'stage');
    dataDir = path.join(dir, 'data');
    pgWal = path.join(dataDir, 'pg_wal');
    log = path.join(dir, 'fetch.log');
    mkdirSync(archive);
    mkdirSync(pgWal, { recursive: true });
    // Segments 1-6 of timeline 1 (5 gzipped, as `gzip` archive_commands leave them), 1-3 of timeline 2, a history
    // file; each segment SEGMENT bytes long (a cluster's segment size, here tiny).
    for (let n = 1; n <= 6; n++) {
      const body = `tl1 segment ${n}`;
      if (n === 5) writeFileSync(path.join(archive, `${seg(1, n)}.gz`), gzipSync(body));
      else writeFileSync(path.join(archive, seg(1, n)), body);
    }
    for (let n = 1; n <= 3; n++) writeFileSync(path.join(archive, seg(2, n)), `tl2 segment ${n}`);
    writeFileSync(path.join(archive, '00000002.history'), '1\t0/3000000\tno recovery target specified\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * What PostgreSQL does for a segment in archive recovery: runs the restore_command in the data folder (%f, %p
   * and %% expanded) and keeps what it restored as pg_wal/<file>; when the command fails, reads pg_wal/<file> if
   * there is one. Returns where the segment came from and its bytes.
   */
  const serverReads = (command: string, name: string): { from: 'archive' | 'pg_wal' | 'nowhere'; bytes?: string } => {
    const expanded = command.replace(/%([fp%])/g, (_, c: string) => (c === 'f' ? name : c === 'p' ? 'pg_wal/RECOVERYXLOG' : '%'));
    const kept = path.join(pgWal, name);
    try {
      execFileSync('sh', ['-c', expanded], { cwd: dataDir, stdio: 'ignore' });
      renameSync(path.join(pgWal, 'RECOVERYXLOG'), kept);
      return { from: 'archive', bytes: readFileSync(kept, 'utf8') };
    } catch {
      return existsSync(kept) ? { from: 'pg_wal', bytes: readFileSync(kept, 'utf8') } : { from: 'nowhere' };
    }
  };
  const commandFor = (prefetch: WalPrefetch) => withPlaced(timedRestoreCommand(restoreCommand(archive), log), prefetch.stage, log);
  const segmentsIn = (folder: string) => (existsSync(folder) ? readdirSync(folder).filter((f) => /^[0-9A-F]{24}$/.test(f)).sort() : []);

  /** Waits (bounded) until the markers are exactly `names`. */
  async function markedBecomes(names: string[]): Promise<void> {
    for (let i = 0; i < 300 && JSON.stringify(segmentsIn(stage)) !== JSON.stringify(names); i++) await sleep(10);
    expect(segmentsIn(stage)).to.deep.equal(names);
  }

  it('follows the server: places the segments after the one it asked for in pg_wal, gunzipped, and the server reads them there', async () => {
    const prefetch = new WalPrefetch(archive, stage, pgWal, log, undefined, { window: 3, segmentBytes: SEGMENT });
    const command = commandFor(prefetch);
    const before = readdirSync(archive).map((f) => [f, statSync(path.join(archive, f)).mtimeMs]);
    prefetch.start();
    try {
      // Nothing is placed before the server has asked for a segment (its timeline is not known yet).
      await sleep(50);
      expect(segmentsIn(pgWal)).to.deep.equal([]);
      expect(serverReads(command, seg(1, 1))).to.deep.equal({ from: 'archive', bytes: 'tl1 segment 1' });
      await markedBecomes([seg(1, 2), seg(1, 3), seg(1, 4)]);
      // The next segment is read from pg_wal, with the archive's bytes; the command answered without fetching.
      expect(serverReads(command, seg(1, 2))).to.deep.equal({ from: 'pg_wal', bytes: 'tl1 segment 2' });
      // The window moves on; the gzipped segment 5 is placed as plain bytes, the marker behind the server removed.
      await markedBecomes([seg(1, 2), seg(1, 3), seg(1, 4), seg(1, 5)]);
      expect(readFileSync(path.join(pgWal, seg(1, 5)), 'utf8')).to.equal('tl1 segment 5');
      expect(serverReads(command, seg(1, 3))).to.deep.equal({ from: 'pg_wal', bytes: 'tl1 segment 3' });
      await markedBecomes([seg(1, 3), seg(1, 4), seg(1, 5), seg(1, 6)]);
      // Asked for the same segment again (as at the end of recovery): still read from pg_wal.
      expect(serverReads(command, seg(1, 3))).to.deep.equal({ from: 'pg_wal', bytes: 'tl1 segment 3' });
      // The server switches to timeline 2: timeline 1's markers go, timeline 2 is placed; pg_wal is the server's.
      expect(serverReads(command, seg(2, 1))).to.deep.equal({ from: 'archive', bytes: 'tl2 segment 1' });
      await markedBecomes([seg(2, 2), seg(2, 3)]);
      // A file that is in no archive still fails, through the archive's own command.
      expect(serverReads(command, seg(2, 9))).to.deep.equal({ from: 'nowhere' });
    } finally {
      expect(await prefetch.stop()).to.equal(7);
    }
    expect(existsSync(stage)).to.equal(false);
    expect(segmentsIn(pgWal)).to.deep.equal([seg(1, 1), seg(1, 2), seg(1, 3), seg(1, 4), seg(1, 5), seg(1, 6), seg(2, 1), seg(2, 2), seg(2, 3)]);
    expect(readdirSync(pgWal).filter((f) => f.endsWith('.part'))).to.deep.equal([]);
    // The log the figures come from: placed segments untimed, fetched ones timed, the miss counted.
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines[0]).to.match(new RegExp(`^${seg(1, 1)} 0 \\d+ \\d+$`));
    expect(lines.slice(1, 4)).to.deep.equal([`${seg(1, 2)} 0 staged`, `${seg(1, 3)} 0 staged`, `${seg(1, 3)} 0 staged`]);
    expect(readWalFetch(log, true)).to.include({ fetched: 5, staged: 3, misses: 1 });
    expect(readWalFetch(log)?.staged).to.equal(undefined);
    // The archive is only read.
    expect(readdirSync(archive).map((f) => [f, statSync(path.join(archive, f)).mtimeMs])).to.deep.equal(before);
  });

  it('a segment not placed yet is fetched by the archive\'s own command; the backup\'s own copy in pg_wal is not taken for a placed one', async () => {
    const prefetch = new WalPrefetch(archive, stage, pgWal, log, undefined, { window: 2, segmentBytes: SEGMENT });
    const command = commandFor(prefetch);
    // pg_wal holds the backup's own (partial) copy of segment 1: not placed by pgdrill, so the archive's is fetched.
    writeFileSync(path.join(pgWal, seg(1, 1)), 'partial');
    expect(serverReads(command, seg(1, 1))).to.deep.equal({ from: 'archive', bytes: 'tl1 segment 1' });
    prefetch.start();
    try {
      // The server races ahead of the placing: every segment still arrives whole, from wherever it is.
      for (let n = 2; n <= 4; n++) expect(serverReads(command, seg(1, n)).bytes).to.equal(`tl1 segment ${n}`);
      // Two copies run at once: 6 (plain) can be placed before 5 (gzipped) is; wait for both.
      for (let i = 0; i < 300 && !(existsSync(path.join(stage, seg(1, 5))) && existsSync(path.join(stage, seg(1, 6)))); i++) await sleep(10);
      // A marked segment whose file is gone from pg_wal is fetched from the archive, not missed.
      rmSync(path.join(pgWal, seg(1, 5)));
      expect(serverReads(command, seg(1, 5))).to.deep.equal({ from: 'archive', bytes: 'tl1 segment 5' });
    } finally {
      await prefetch.stop();
    }
  });

  it('places nothing after `last` (a live source\'s newest segment at the loss)', async () => {
    const prefetch = new WalPrefetch(archive, stage, pgWal, log, undefined, { window: 8, last: seg(1, 3), segmentBytes: SEGMENT });
    prefetch.start();
    try {
      expect(serverReads(commandFor(prefetch), seg(1, 1)).from).to.equal('archive');
      await markedBecomes([seg(1, 2), seg(1, 3)]);
      await sleep(100);
    } finally {
      expect(await prefetch.stop()).to.equal(2);
    }
    expect(segmentsIn(pgWal)).to.deep.equal([seg(1, 1), seg(1, 2), seg(1, 3)]);
  });

  it('starts from the backup\'s first segment (its backup_label) before the server asks for anything', async () => {
    writeFileSync(path.join(dataDir, 'backup_label'), `START WAL LOCATION: 0/2000028 (file ${seg(1, 2)})\nCHECKPOINT LOCATION: 0/2000060\n`);
    const first = firstSegment(dataDir);
    expect(first).to.equal(seg(1, 2));
    expect(firstSegment(dir)).to.equal(undefined);
    const prefetch = new WalPrefetch(archive, stage, pgWal, log, undefined, { window: 2, first, segmentBytes: SEGMENT });
    const command = commandFor(prefetch);
    prefetch.start();
    try {
      await markedBecomes([seg(1, 2), seg(1, 3)]);
      expect(serverReads(command, seg(1, 2))).to.deep.equal({ from: 'pg_wal', bytes: 'tl1 segment 2' });
      // Then it follows the server.
      await markedBecomes([seg(1, 2), seg(1, 3), seg(1, 4)]);
      expect(serverReads(command, seg(1, 3))).to.deep.equal({ from: 'pg_wal', bytes: 'tl1 segment 3' });
      await markedBecomes([seg(1, 3), seg(1, 4), seg(1, 5)]);
    } finally {
      await prefetch.stop();
    }
  });

  it('places only whole segments: a short file (a crashed archive_command\'s, one still being written) is left to the archive\'s own command', async () => {
    writeFileSync(path.join(archive, seg(1, 3)), 'tl1 seg'); // truncated: 7 of 13 bytes
    const prefetch = new WalPrefetch(archive, stage, pgWal, log, undefined, { window: 4, segmentBytes: SEGMENT });
    prefetch.start();
    try {
      expect(serverReads(commandFor(prefetch), seg(1, 1)).from).to.equal('archive');
      await markedBecomes([seg(1, 2), seg(1, 4), seg(1, 5)]);
    } finally {
      await prefetch.stop();
    }
    // Not in pg_wal, where PostgreSQL would have read it without checking its size and ended replay early.
    expect(segmentsIn(pgWal)).to.deep.equal([seg(1, 1), seg(1, 2), seg(1, 4), seg(1, 5)]);
  });
});
