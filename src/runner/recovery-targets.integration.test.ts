// Every recovery target kind on real recoveries, in the style of PostgreSQL's src/test/recovery/t/003_recovery_targets.pl:
// known rows are committed around known points (xid, commit time, LSN, a named restore point), then each target
// is restored into a new instance and exactly the expected rows must exist, inclusive and exclusive.
import { expect } from 'chai';
import { PgBasebackupMethod } from '../tools/pg-basebackup/method.js';
import type { BackupArtifact } from '../tools/backup-method.js';
import type { PostgresInstance } from '../providers/provider.js';
import { postgresProcessesUnder } from '../test-support/cli.js';
import { testBench, type TestBench } from '../test-support/instances.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import { confirmTarget } from '../verify/confirm-target.js';
import { parseLsn } from '../pg/lsn.js';
import { archivedSegments, newestArchivedLsn, segmentName, WAL_SEGMENT_BYTES } from '../tools/common/wal-archive.js';
import { flipBytes } from '../tools/common/flip-bytes.js';
import { chownTree } from '../exec/os-user.js';
import { cpSync } from 'node:fs';
import path from 'node:path';

interface Point {
  xid: string;
  time: string;
  lsnBefore: string;
  lsnAfter: string;
}

describe('recovery targets (real recoveries)', function () {
  this.timeout(180_000);
  let bench: TestBench;
  let primary: PostgresInstance;
  let backup: BackupArtifact;
  const method = new PgBasebackupMethod();
  const points: Record<string, Point> = {};
  let n = 0;

  async function commitRow(name: string): Promise<Point> {
    const client = await primary.connect();
    try {
      const before = await client.query<{ l: string }>('select pg_current_wal_insert_lsn()::text as l');
      await client.query('begin');
      await client.query('insert into t values ($1)', [name]);
      const x = await client.query<{ x: string }>('select pg_current_xact_id()::text as x');
      await client.query('commit');
      const after = await client.query<{ l: string; t: string }>(
        `select pg_current_wal_lsn()::text as l,
                to_char(pg_xact_commit_timestamp($1::text::xid) at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00') as t`,
        [x.rows[0]?.x],
      );
      return { xid: x.rows[0]?.x ?? '', time: after.rows[0]?.t ?? '', lsnBefore: before.rows[0]?.l ?? '', lsnAfter: after.rows[0]?.l ?? '' };
    } finally {
      await client.end();
    }
  }

  before(async () => {
    bench = testBench();
    const { ctx } = bench;
    primary = await ctx.provider.initPrimary(ctx, {
      name: 'primary',
      password: bench.password,
      deadlineMs: 60_000,
      settings: { wal_level: 'replica', track_commit_timestamp: 'on', ...method.primarySettings(ctx) },
    });
    await primary.query('create table t (name text primary key)');
    backup = await method.takeBackup(ctx, primary);
    points['A'] = await commitRow('A');
    await primary.query(`select pg_create_restore_point('between-a-and-b')`);
    await primary.query('select pg_sleep(0.01)'); // distinct commit timestamps
    points['B'] = await commitRow('B');
    await primary.query('select pg_sleep(0.01)');
    points['C'] = await commitRow('C');
    const [now] = await primary.query<{ l: string }>('select pg_current_wal_lsn()::text as l');
    await method.archiveThrough(ctx, primary, now?.l ?? '', 30_000);
  });

  after(async () => {
    await primary?.stop();
    expect(postgresProcessesUnder(bench.work)).to.deep.equal([]);
    bench.dispose();
  });

  async function recover(target: RecoveryTarget): Promise<{ rows: string[]; reached: boolean; evidence: string[] }> {
    const { ctx } = bench;
    const plan = await method.restore(ctx, backup, { target, timeline: 'latest', instanceName: `restore-${++n}` });
    if (plan.kind !== 'physical') throw new Error('pg_basebackup restores are physical');
    const restored = await ctx.provider.start(ctx, { name: `restore-${n}`, dataDir: plan.dataDir, settings: plan.settings, password: bench.password, deadlineMs: 60_000 });
    try {
      const rows = (await restored.query<{ name: string }>('select name from t order by name')).map((r) => r.name);
      const c = confirmTarget(target, restored.readLog());
      return { rows, reached: c.reached, evidence: c.evidence };
    } finally {
      await restored.stop();
    }
  }

  const p = (name: string) => points[name] as Point;
  const cases: Array<[string, () => RecoveryTarget, string[]]> = [
    ['xid exclusive', () => ({ kind: 'xid', xid: p('B').xid, inclusive: false }), ['A']],
    ['xid inclusive', () => ({ kind: 'xid', xid: p('B').xid, inclusive: true }), ['A', 'B']],
    ['time exclusive', () => ({ kind: 'time', time: p('B').time, inclusive: false }), ['A']],
    ['time inclusive', () => ({ kind: 'time', time: p('B').time, inclusive: true }), ['A', 'B']],
    ['lsn before B, exclusive', () => ({ kind: 'lsn', lsn: p('B').lsnBefore, inclusive: false }), ['A']],
    ['lsn after B, inclusive', () => ({ kind: 'lsn', lsn: p('B').lsnAfter, inclusive: true }), ['A', 'B']],
    // Not a record start, written with leading zeros: the server logs the first record at or past it.
    ['lsn inside B\'s first record, zero-padded', () => ({ kind: 'lsn', lsn: padded(parseLsn(p('B').lsnBefore) + 1n), inclusive: false }), ['A']],
    ['restore point', () => ({ kind: 'name', name: 'between-a-and-b' }), ['A']],
    ['immediate (end of the base backup)', () => ({ kind: 'immediate' }), []],
    ['latest (end of the archive)', () => ({ kind: 'latest' }), ['A', 'B', 'C']],
  ];
  function padded(v: bigint): string {
    return `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase().padStart(8, '0')}`;
  }

  for (const [title, target, rows] of cases) {
    it(`${title}: exactly ${rows.length ? rows.join(', ') : 'no rows'}`, async () => {
      const r = await recover(target());
      expect(r.rows).to.deep.equal(rows);
      expect(r.reached, r.evidence.join('\n')).to.equal(true);
    });
  }

  it('latest: damaged WAL inside the newest archived segment is a failure naming the segment and offset, not "reached"', async () => {
    const { ctx } = bench;
    const seg = (lsn: string) => segmentName(1, parseLsn(lsn), WAL_SEGMENT_BYTES);
    const newest = seg(p('B').lsnBefore);
    expect(seg(p('A').lsnBefore), 'A and B share the newest segment, so replay starts reading it').to.equal(newest);
    expect(archivedSegments(ctx.archiveDir).at(-1)).to.equal(newest);
    // A copy of the archive, damaged in B's first record: the source archive stays intact.
    const copy = path.join(ctx.workDir, 'archive-damaged');
    cpSync(ctx.archiveDir, copy, { recursive: true });
    chownTree(copy, ctx.serverUser);
    const offset = Number(parseLsn(p('B').lsnBefore) % WAL_SEGMENT_BYTES) + 30;
    flipBytes(path.join(copy, newest), offset, 8);
    const damaged = { ...ctx, archiveDir: copy };
    const plan = await method.restore(damaged, backup, { target: { kind: 'latest' }, timeline: 'latest', instanceName: 'restore-damaged' });
    if (plan.kind !== 'physical') throw new Error('pg_basebackup restores are physical');
    const restored = await ctx.provider.start(ctx, { name: 'restore-damaged', dataDir: plan.dataDir, settings: plan.settings, password: bench.password, deadlineMs: 60_000 });
    try {
      const rows = (await restored.query<{ name: string }>('select name from t order by name')).map((r) => r.name);
      expect(rows, 'replay stopped at the damage').to.deep.equal(['A']);
      const start = newestArchivedLsn(copy, 1, WAL_SEGMENT_BYTES) ?? '';
      const c = confirmTarget({ kind: 'latest' }, restored.readLog(), { newestSegmentLsn: start, segmentBytes: WAL_SEGMENT_BYTES });
      expect(c.reached, c.evidence.join('\n')).to.equal(false);
      expect(c.evidence.at(-1)).to.contain(`of the segment starting at ${start}`).and.contain('the WAL after it in the archive could not be read');
    } finally {
      await restored.stop();
    }
  });
});
