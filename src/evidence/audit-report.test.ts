import { expect } from 'chai';
import { gaps } from './audit-report.js';

describe('gaps in an audit period', () => {
  const day = 86_400_000;
  const t = (d: number) => Date.UTC(2026, 6, 1) + d * day;
  const span = (g: { from: string; until: string }) => [g.from.slice(0, 10), g.until.slice(0, 10)];

  it('weekly passes through the period leave no gap; a missed fortnight leaves the stretch past the window', () => {
    expect(gaps([t(-3), t(4), t(11), t(18)], 7 * day, t(0), t(21))).to.deep.equal([]);
    expect(gaps([t(-3), t(4), t(18)], 7 * day, t(0), t(21)).map(span)).to.deep.equal([['2026-07-12', '2026-07-19']]);
  });

  it('no pass before the period: uncovered from its start; the last pass older than the window: uncovered to its end', () => {
    expect(gaps([t(5)], 7 * day, t(0), t(20)).map(span)).to.deep.equal([['2026-07-01', '2026-07-06'], ['2026-07-13', '2026-07-21']]);
    expect(gaps([], 7 * day, t(0), t(3))).to.deep.equal([{ from: '2026-07-01T00:00:00.000Z', until: '2026-07-04T00:00:00.000Z', seconds: 3 * 86_400 }]);
  });
});
