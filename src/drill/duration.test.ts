import { expect } from 'chai';
import { formatSeconds } from '../model/format.js';
import { parseDuration } from './duration.js';

describe('durations', () => {
  it('parses every unit and combinations', () => {
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('30s')).to.equal(30_000);
    expect(parseDuration('7m')).to.equal(420_000);
    expect(parseDuration('1h')).to.equal(3_600_000);
    expect(parseDuration('1d')).to.equal(86_400_000);
    expect(parseDuration('1m30s')).to.equal(90_000);
    expect(parseDuration('1.5s')).to.equal(1500);
    expect(parseDuration(' 2m ')).to.equal(120_000);
  });

  it('rejects what is not a duration', () => {
    for (const bad of ['7 minutes', '10', '', 'ms', '5w', '-5s', '1m30']) {
      expect(parseDuration(bad), bad).to.equal(undefined);
    }
  });

  it('formats seconds for people', () => {
    expect(formatSeconds(0.1164)).to.equal('0.116s');
    expect(formatSeconds(4.24)).to.equal('4.2s');
    expect(formatSeconds(125)).to.equal('2m 5s');
    expect(formatSeconds(120)).to.equal('2m');
    expect(formatSeconds(3720)).to.equal('1h 2m');
    // Rounded before it is split: never "1m 60s" or "1h 60m".
    expect(formatSeconds(119.7)).to.equal('2m');
    expect(formatSeconds(59.97)).to.equal('1m');
    expect(formatSeconds(7199.9)).to.equal('2h');
  });
});
