import { expect } from 'chai';
import { parseDay } from './export-evidence.js';

describe('evidence export dates', () => {
  it('a day given to --until means the whole day; to --since its first moment', () => {
    expect(parseDay('2026-03-31', '--until', true).toISOString()).to.equal('2026-03-31T23:59:59.999Z');
    expect(parseDay('2026-03-31', '--since').toISOString()).to.equal('2026-03-31T00:00:00.000Z');
    expect(parseDay('2026-03-31T12:00:00Z', '--until', true).toISOString()).to.equal('2026-03-31T12:00:00.000Z');
    expect(() => parseDay('March', '--until', true)).to.throw('--until March is not a date');
  });
});
