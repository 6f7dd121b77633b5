import { expect } from 'chai';
import { sha256 } from './hashing.js';
import { checkRollback, nextHead, parseHead, type SeenHead } from './head.js';

describe('the head of an output folder or store', () => {
  const first = nextHead(null, { runId: 'r1', manifestSha256: 'a'.repeat(64) }, 1, undefined).head;
  const second = nextHead(first, { runId: 'r2', manifestSha256: 'b'.repeat(64) }, 2, undefined).head;
  const seen = (bytes: Buffer): SeenHead => ({ kind: 'pgdrill-last-seen-head', where: 'x', sequence: parseHead(bytes).sequence ?? 0, headSha256: sha256(bytes), runId: parseHead(bytes).runId, seenAt: '2026-12-01T00:00:00Z' });

  it('counts one per head and names the one before by its hash', () => {
    expect(parseHead(first)).to.deep.include({ sequence: 1, previousHeadSha256: null, runId: 'r1', runs: 1 });
    expect(parseHead(second)).to.deep.include({ sequence: 2, previousHeadSha256: sha256(first), runId: 'r2', runs: 2 });
  });

  it('a head older than the one seen, another head at the same sequence, or a vanished run is a rollback; a newer head is not', () => {
    expect(checkRollback(second, ['r1', 'r2'], { where: 'store', seen: seen(second) })).to.deep.equal([]);
    expect(checkRollback(second, ['r1', 'r2'], { where: 'store', seen: seen(first) })).to.deep.equal([]);
    const back = checkRollback(first, ['r1'], { where: 'store', seen: seen(second) });
    expect(back.join('\n')).to.contain('HEAD ROLLED BACK: store is at head 1 (run r1), but head 2 (run r2) was seen').and.contain('RUN DELETED: run r2');
    const forged = nextHead(first, { runId: 'r2', manifestSha256: 'c'.repeat(64) }, 2, undefined).head;
    expect(checkRollback(forged, ['r1', 'r2'], { where: 'store', seen: seen(second) }).join()).to.contain('HEAD REPLACED: head 2 of store is not the one seen');
    expect(checkRollback(first, ['r1'], { where: 'store', atLeast: 2 }).join()).to.contain('is at head 1 (run r1), and at least 2 was expected');
    expect(checkRollback(null, [], { where: 'store', seen: seen(second) }).join()).to.contain('HEAD DELETED');
  });
});
