import { expect } from 'chai';
import { Timeline, type PhaseListener, type ProgressSample } from './timeline.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('phase progress lines', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env['PGDRILL_PROGRESS_SECONDS'];
    process.env['PGDRILL_PROGRESS_SECONDS'] = '0.05';
  });
  afterEach(() => {
    if (saved === undefined) delete process.env['PGDRILL_PROGRESS_SECONDS'];
    else process.env['PGDRILL_PROGRESS_SECONDS'] = saved;
  });

  function recorder(): { listener: PhaseListener; lines: ProgressSample[] } {
    const lines: ProgressSample[] = [];
    return { lines, listener: { phaseStarted: () => undefined, phaseEnded: () => undefined, progress: (_n, s) => lines.push(s) } };
  }

  it('a phase that outlasted the interval without a line at any tick shows its last report once, as it ends', async () => {
    const { listener, lines } = recorder();
    const report = { done: 0, total: 0 };
    await new Timeline(listener).phase(
      'checksums',
      async () => {
        await wait(150);
        Object.assign(report, { done: 180, total: 180 }); // the tool's only report, as it finishes
      },
      { progress: () => (report.total > 0 ? { ...report } : undefined), lastReport: () => (report.total > 0 ? { ...report } : undefined) },
    );
    expect(lines).to.deep.equal([{ done: 180, total: 180 }]);
  });

  it('adds nothing when ticks showed lines, or when the phase was shorter than the interval', async () => {
    const shown = recorder();
    await new Timeline(shown.listener).phase('restore-files', () => wait(150), { progress: () => ({ done: 1, total: 2 }), lastReport: () => ({ done: 2, total: 2 }) });
    expect(shown.lines.length).to.be.at.least(1);
    expect(shown.lines.every((l) => l.done === 1)).to.equal(true);
    const short = recorder();
    await new Timeline(short.listener).phase('checksums', () => wait(5), { progress: () => undefined, lastReport: () => ({ done: 2, total: 2 }) });
    expect(short.lines).to.deep.equal([]);
  });
});
