import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sampleResult } from '../test-support/sample-result.js';
import { tempDir } from '../test-support/temp-dirs.js';
import { renderIndex } from './index-page.js';

describe('history page', () => {
  it('draws each trend dot as the judge decided: an RPO that is only a lower bound, or an RTO not verified, is failed', () => {
    const out = tempDir('drilltest-index-');
    const write = (run: string, startedAt: string, over: Parameters<typeof sampleResult>[3]) => {
      mkdirSync(path.join(out, run, 'd'), { recursive: true });
      writeFileSync(path.join(out, run, 'd', 'result.json'), JSON.stringify(sampleResult('d', 'failed', 'x', { runId: run, startedAt, ...over })));
    };
    // Within the objective by its numbers, yet not met: a lower bound (nothing pre-incident survived) ...
    write('run1', '2026-11-20T00:00:00.000Z', {
      objectives: { rtoSeconds: 120, rpoSeconds: 5, rtoMet: true, rpoMet: false },
      measured: { ...sampleResult('d', 'failed').measured, rpoSeconds: 1, rpoLowerBound: true },
    });
    // ... and an older result.json (no judgement recorded) with a lower bound: judged the same way.
    write('run0', '2026-11-19T00:00:00.000Z', { measured: { ...sampleResult('d', 'failed').measured, rpoSeconds: 1, rpoLowerBound: true } });
    // A fast recovery that failed verification: the RTO dot is failed too.
    write('run2', '2026-11-21T00:00:00.000Z', { objectives: { rtoSeconds: 120, rpoSeconds: 5, rtoMet: false, rpoMet: true } });
    const { html } = renderIndex(out);
    const dots = (title: string) => {
      const svg = html.slice(html.indexOf(`aria-label="${title}`));
      return [...svg.slice(0, svg.indexOf('</svg>')).matchAll(/<circle [^>]*class="(ok|bad)"/g)].map((m) => m[1]);
    };
    expect(dots('RPO measured')).to.deep.equal(['bad', 'bad', 'ok']);
    expect(dots('RTO measured')).to.deep.equal(['bad', 'ok', 'bad']);
  });
});
