import { expect } from 'chai';
import { matches } from './sql-check.js';

describe('SQL check comparison', () => {
  it('a boolean written true/false matches Postgres t/f, and nothing else is loosened', () => {
    expect(matches('t', 'true')).to.equal(true);
    expect(matches('f', 'false')).to.equal(true);
    expect(matches('f', 'true')).to.equal(false);
    expect(matches('100', '101')).to.equal(false);
    expect(matches('100', '100')).to.equal(true);
    expect(matches(null, 'true')).to.equal(false);
    expect(matches(null, null)).to.equal(true);
  });
});
