import { expect } from 'chai';
import { Timeline, type PhaseListener, type ProgressSample } from '../runner/timeline.js';
import { progressText } from './progress.js';

describe('progress lines', () => {
  it('done of total, percent, rate and time left; without a total, what is done and the rate', () => {
    expect(progressText({ done: 1.2e9, total: 1.6e9 }, 4)).to.equal('1.2 GB of 1.6 GB (75%), 300.0 MB/s, about 1.3s left');
    expect(progressText({ done: 50e6 }, 2)).to.equal('50.0 MB so far, 25.0 MB/s');
    // WAL comes by whole segments: the last may reach past the target; never more than 100%.
    expect(progressText({ done: 184e6, total: 155e6 }, 1)).to.equal('155.0 MB of 155.0 MB (100%), 184.0 MB/s, finishing');
    // Nothing done yet: no rate to estimate from, and not "finishing".
    expect(progressText({ done: 0, total: 311e6 }, 0.2)).to.equal('0 kB of 311.0 MB (0%), 0 kB/s, starting');
  });

  it('the timeline reads the sampler every interval while the phase runs, and never after it ended', async () => {
    const seen: Array<[string, ProgressSample]> = [];
    const listener: PhaseListener = { phaseStarted: () => undefined, phaseEnded: () => undefined, progress: (name, sample) => seen.push([name, sample]) };
    const before = process.env['PGDRILL_PROGRESS_SECONDS'];
    process.env['PGDRILL_PROGRESS_SECONDS'] = '0.02';
    try {
      const timeline = new Timeline(listener);
      let done = 0;
      await timeline.phase('restore-files', () => new Promise((r) => setTimeout(r, 200)), { progress: () => ({ done: (done += 10), total: 100 }) });
      const count = seen.length;
      expect(count).to.be.at.least(3);
      expect(seen.every(([n]) => n === 'restore-files')).to.equal(true);
      expect(seen.map(([, s]) => s.done)).to.deep.equal(seen.map((_, i) => (i + 1) * 10));
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.length).to.equal(count);
    } finally {
      if (before === undefined) delete process.env['PGDRILL_PROGRESS_SECONDS'];
      else process.env['PGDRILL_PROGRESS_SECONDS'] = before;
    }
  });
});
