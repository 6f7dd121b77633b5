import { expect } from 'chai';
import { BackgroundWriter } from '../../runner/workload/background-writer.js';
import { postgresProcessesUnder } from '../../test-support/cli.js';
import { testBench } from '../../test-support/instances.js';
import { PgDumpMethod } from './method.js';

describe('pg_dump: the point in time of a dump (real pg_dump while the application writes)', function () {
  this.timeout(120_000);

  it('is the moment of its snapshot, not the end of pg_dump: exactly the rows committed before it are in the dump', async () => {
    const bench = testBench();
    const { ctx } = bench;
    const method = new PgDumpMethod();
    const primary = await ctx.provider.initPrimary(ctx, { name: 'primary', password: bench.password, deadlineMs: 60_000, settings: { track_commit_timestamp: 'on' } });
    try {
      // Enough data that pg_dump takes a while, and a writer committing every few milliseconds meanwhile.
      await primary.query(`create table filler as select g, repeat('x', 500) as pad from generate_series(1, 200000) g;
                           create table events (id bigint generated always as identity primary key, at timestamptz)`);
      const writer = new BackgroundWriter(primary, 'insert into events (at) values (clock_timestamp())', 3);
      await writer.start();
      await primary.query('select pg_sleep(0.2)');
      const backup = await method.takeBackup(ctx, primary);
      await writer.stop();
      expect(backup.endTime, 'the dump reports its own point in time').to.be.a('string');
      // On the primary: the rows committed before the dump's point in time, and those written while pg_dump ran.
      const ids = async (where: string) =>
        (await primary.query<{ id: string }>(`select id::text from events where pg_xact_commit_timestamp(xmin) ${where} $1::timestamptz order by id`, [backup.endTime])).map((r) => r.id);
      const before = await ids('<');
      const after = await ids('>=');
      expect(after.length, 'rows were committed while pg_dump ran, after its point in time').to.be.greaterThan(0);

      const plan = await method.restore(ctx, backup, { target: { kind: 'immediate' }, timeline: 'latest', instanceName: 'restore' });
      if (plan.kind !== 'logical') throw new Error('pg_dump restores are logical');
      const restored = await plan.load(bench.password);
      try {
        const present = new Set((await restored.query<{ id: string }>('select id::text from events')).map((r) => r.id));
        // Every row committed before the point in time is in the dump: the loss it reports is never understated.
        expect(before.filter((id) => !present.has(id)), 'rows committed before the point in time but missing from the dump').to.deep.equal([]);
        expect(after.some((id) => !present.has(id)), 'rows committed after it are lost').to.equal(true);
      } finally {
        await restored.stop();
      }
    } finally {
      await primary.stop();
      expect(postgresProcessesUnder(bench.work)).to.deep.equal([]);
      bench.dispose();
    }
  });
});
