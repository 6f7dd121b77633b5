import { expect } from 'chai';
import { CleanupStack } from './cleanup-stack.js';

describe('cleanup stack', () => {
  it('runs every step in reverse order even when one fails, reports the failure, and retries only that step', async () => {
    const stack = new CleanupStack();
    const ran: string[] = [];
    let attempts = 0;
    stack.defer('first', () => ran.push('first'));
    stack.defer('flaky', () => {
      attempts++;
      ran.push('flaky');
      if (attempts === 1) throw new Error('still busy');
    });
    stack.defer('last', () => ran.push('last'));
    const failed = await stack.dispose();
    expect(ran).to.deep.equal(['last', 'flaky', 'first']);
    expect(failed.map((f) => `${f.what}: ${(f.error as Error).message}`)).to.deep.equal(['flaky: still busy']);
    expect(await stack.dispose()).to.deep.equal([]);
    expect(ran).to.deep.equal(['last', 'flaky', 'first', 'flaky']);
    expect(await stack.dispose()).to.deep.equal([]);
    expect(attempts).to.equal(2);
  });
});
