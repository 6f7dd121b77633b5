// Live markers on a real server: the heartbeat keeps beating while the archive's state is being read, and stops
// as soon as that read settles, so the loss is declared after it (a segment pushed meanwhile counts as held, the
// markers written meanwhile as lost unless the archive holds them: any error of timing is on the safe side).
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { postgresProcessesUnder } from '../../test-support/cli.js';
import { testBench } from '../../test-support/instances.js';
import { LIVE_MARKER_SQL, LiveMarkers } from './live-markers.js';

describe('live markers (real PostgreSQL)', function () {
  this.timeout(120_000);

  it('keep beating until the archive read settles, then stop at once; the read\'s answer is passed on', async () => {
    const bench = testBench();
    const { ctx } = bench;
    const primary = await ctx.provider.initPrimary(ctx, { name: 'source', password: bench.password, deadlineMs: 60_000, settings: {} });
    try {
      await primary.query(LIVE_MARKER_SQL);
      const c = primary.connection;
      const markers = new LiveMarkers(`postgresql://${c.user}:${encodeURIComponent(String(c.password))}@${c.host}:${c.port}/postgres`, 'env:SOURCE', 'test/run');
      await markers.connect();
      try {
        await markers.run(600, 100, ctx.signal);
        const before = markers.ledger.length;
        expect(before, 'markers of the run').to.be.at.least(2);
        // A slow read of the backup system's state (pgbackrest info, a bucket listing): 1 s.
        let settledAt = 0;
        const read = sleep(1000).then(() => {
          settledAt = Date.now();
          return '000000010000000000000007';
        });
        const answer = await markers.runWhile(read, 100, ctx.signal);
        const returnedAt = Date.now();
        expect(answer).to.equal('000000010000000000000007');
        const during = markers.ledger.slice(before);
        expect(during.length, 'markers written while the read ran (one every 100 ms for 1 s)').to.be.at.least(3);
        const last = (during.at(-1)?.commitMicros ?? 0) / 1000;
        expect(settledAt - last, 'the last marker is one heartbeat or less before the read settled').to.be.within(-20, 400);
        expect(returnedAt - settledAt, 'and none is written after it').to.be.below(500);
        const rows = await primary.query<{ n: string }>(`select count(*)::text as n from pgdrill.marker where drill = 'test/run'`);
        expect(Number(rows[0]?.n)).to.equal(markers.ledger.length);
      } finally {
        await markers.close();
      }
    } finally {
      await primary.stop();
      expect(postgresProcessesUnder(bench.work)).to.deep.equal([]);
      bench.dispose();
    }
  });
});
