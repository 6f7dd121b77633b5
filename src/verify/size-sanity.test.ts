import { expect } from 'chai';
import { sampleResult } from '../test-support/sample-result.js';
import { median, sizeSanity } from './size-sanity.js';

describe('size sanity against history', () => {
  const run = (backup: number, restored: number) => {
    const r = sampleResult('d', 'passed');
    r.backup = { method: 'pg_basebackup', sizeBytes: backup, seconds: 1 };
    r.integrity = { level: 'quick', inRto: false, jobs: 2, databases: ['postgres'], restoredBytes: restored, tablesRead: 1, rowsRead: 1, bytesRead: 1, readSeconds: 1, readBytesPerSecond: 1, dataChecksums: true, findingsTotal: 0, findings: [], rowCounts: [], notes: [] };
    return r;
  };
  const spec = { sizeChange: 0.5, history: 5 };

  it('median of an odd and an even series', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([])).to.equal(null);
  });

  it('a 70% drop against the last runs fails with both numbers; a 10% change passes', () => {
    const earlier = [run(100 * 2 ** 20, 200 * 2 ** 20), run(102 * 2 ** 20, 201 * 2 ** 20)];
    const dropped = sizeSanity(earlier, { backupBytes: 30 * 2 ** 20, restoredBytes: 180 * 2 ** 20 }, spec);
    expect(dropped.checks.map((c) => [c.name, c.status])).to.deep.equal([
      ['sanity: backup size against earlier runs', 'failed'],
      ['sanity: restored database size against earlier runs', 'passed'],
    ]);
    expect(dropped.checks[0]?.detail).to.contain('30.0 MiB against a median of 101.0 MiB over the last 2 run(s): -70%');
    expect(dropped.section.backupMedian).to.equal(101 * 2 ** 20);
  });

  it('no earlier run: nothing to compare, no check', () => {
    const first = sizeSanity([], { backupBytes: 1, restoredBytes: 1 }, spec);
    expect(first.checks).to.deep.equal([]);
    expect(first.section.backupMedian).to.equal(null);
  });

  it('only the last `history` runs count', () => {
    const earlier = [run(10, 10), run(1000, 1000), run(1000, 1000)];
    expect(sizeSanity(earlier, { backupBytes: 10, restoredBytes: null }, { sizeChange: 0.5, history: 1 }).checks[0]?.status).to.equal('passed');
  });
});
