import { expect } from 'chai';
import type { Marker } from '../model/marker.js';
import { measureRpo, rate } from './measure-rpo.js';

const m = (id: number, seconds: number): Marker => ({ id, commitTime: `t${id}`, commitMicros: 1_700_000_000_000_000 + seconds * 1e6 });

describe('RPO arithmetic', () => {
  const ledger = [m(1, 0), m(2, 0.2), m(3, 0.4), m(4, 0.6), m(5, 0.8)];
  const incident = 1_700_000_000_000_000 + 0.7e6; // markers 1-4 precede it, 5 follows

  it('is 0 when every pre-incident marker survived', () => {
    const r = measureRpo(ledger, incident, [1, 2, 3, 4]);
    expect(r.rpoSeconds).to.equal(0);
    expect(r.lostMarkers).to.equal(0);
    expect(r.discardedMarkers).to.equal(1);
    expect(r.lastPreIncidentMarker?.id).to.equal(4);
  });

  it('is the commit-time gap to the newest surviving marker', () => {
    const r = measureRpo(ledger, incident, [1, 2]);
    expect(r.rpoSeconds).to.be.closeTo(0.4, 1e-9);
    expect(r.lostMarkers).to.equal(2);
    expect(r.newestRecoveredMarker?.id).to.equal(2);
    expect(r.lowerBound).to.equal(false);
  });

  it('uses commit order, not id order', () => {
    const shuffled = [m(1, 0), m(3, 0.2), m(2, 0.4)];
    const r = measureRpo(shuffled, incident, [1, 3]);
    expect(r.newestRecoveredMarker?.id).to.equal(3);
    expect(r.rpoSeconds).to.be.closeTo(0.2, 1e-9);
  });

  it('is a lower bound when nothing survived', () => {
    const r = measureRpo(ledger, incident, []);
    expect(r.lowerBound).to.equal(true);
    expect(r.rpoSeconds).to.be.closeTo(0.6, 1e-9);
    expect(r.lostMarkers).to.equal(4);
  });

  it('measures from the last replayed point when nothing survived and that point is known', () => {
    const r = measureRpo(ledger, incident, [], 1_700_000_000_000_000 - 1.5e6);
    expect(r.lowerBound).to.equal(false);
    expect(r.rpoSeconds).to.be.closeTo(2.1, 1e-9);
  });

  it('counts post-incident markers that survived a later target', () => {
    const r = measureRpo(ledger, incident, [1, 2, 3, 4, 5]);
    expect(r.survivingPostIncidentMarkers).to.equal(1);
    expect(r.discardedMarkers).to.equal(0);
  });

  it('computes rates', () => {
    expect(rate(100, 2)).to.equal(50);
    expect(rate(100, 0)).to.equal(0);
  });
});
