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

  it('shows the backup size, restored size and row counts of each drill over its last runs, oldest first', () => {
    const out = tempDir('drilltest-index-');
    const integrity = (restored: number, rows: number) => ({ level: 'quick' as const, inRto: false, jobs: 2, databases: ['shop'], restoredBytes: restored, tablesRead: 1, rowsRead: rows, bytesRead: 1, readSeconds: 1, readBytesPerSecond: 1, dataChecksums: true, findingsTotal: 0, findings: [], rowCounts: [{ database: 'shop', table: 'orders', rows, bytes: 8192 }], notes: [] });
    for (const [run, day, backup, rows] of [['r1', '20', 100, 1000], ['r2', '21', 30, 300]] as const) {
      mkdirSync(path.join(out, run, 'd'), { recursive: true });
      const r = sampleResult('d', 'passed', undefined, { runId: run, startedAt: `2026-11-${day}T00:00:00.000Z`, backup: { method: 'pg_basebackup', sizeBytes: backup * 2 ** 20, seconds: 1 }, integrity: integrity(backup * 2 ** 20, rows) });
      writeFileSync(path.join(out, run, 'd', 'result.json'), JSON.stringify(r));
    }
    const { html } = renderIndex(out);
    const table = html.slice(html.indexOf('<table class="sizes">'), html.indexOf('</table>', html.indexOf('<table class="sizes">')));
    expect(table).to.match(/2026-11-20 00:00<\/th><th class="num">2026-11-21 00:00/);
    expect(table).to.match(/backup size<\/td><td class="num">100.0 MiB<\/td><td class="num">30.0 MiB/);
    expect(table).to.match(/shop: orders rows<\/td><td class="num">1000<\/td><td class="num">300</);
  });

  it('flags a drill whose last pass is older than its validateEvery, with its policy', () => {
    const out = tempDir('drilltest-index-');
    const write = (drill: string, endedAt: string, status: 'passed' | 'failed') => {
      mkdirSync(path.join(out, `run-${drill}`, drill), { recursive: true });
      const policy = { name: 'tier1', owner: 'dba-team', file: '/p/tier1.yaml', sha256: 'x' };
      const r = sampleResult(drill, status, undefined, { runId: `run-${drill}`, startedAt: endedAt, endedAt, objectives: { rtoSeconds: 120, rpoSeconds: 5, validateEverySeconds: 86_400, policy } });
      writeFileSync(path.join(out, `run-${drill}`, drill, 'result.json'), JSON.stringify(r));
    };
    write('stale', new Date(Date.now() - 3 * 86_400_000).toISOString(), 'passed');
    write('fresh', new Date(Date.now() - 3_600_000).toISOString(), 'passed');
    write('failing', new Date(Date.now() - 3_600_000).toISOString(), 'failed');
    const { html } = renderIndex(out);
    const heading = (d: string) => html.slice(html.indexOf(`<h3>${d} `), html.indexOf('</h3>', html.indexOf(`<h3>${d} `)));
    expect(heading('stale')).to.match(/policy tier1, owner dba-team/).and.match(/overdue: last passed .*, to be validated every 24h/);
    expect(heading('fresh')).to.not.contain('overdue');
    expect(heading('failing')).to.contain('overdue: never passed');
  });
});
