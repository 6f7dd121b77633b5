// The HTML report of a real drill, opened in headless Chromium: verdict, numbers and charts visible, no console
// error, no request leaving the page, user text escaped. Saves a screenshot to reports/screenshots/.
import { expect } from 'chai';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test-support/browser.js';
import { ROOT, runCli, testFolders } from '../test-support/cli.js';
import { renderReport } from './html-report.js';
import { resultSchema, type DrillResult } from '../model/result-schema.js';

describe('report.html in Chromium', function () {
  this.timeout(120_000);
  const { out, work } = testFolders();
  let browser: Browser;
  let drillDir: string;
  let result: DrillResult;

  before(async () => {
    const run = await runCli(['run', 'drills/quickstart.yaml', '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    drillDir = path.join(out, readdirSync(out).find((f) => /^\d/.test(f)) as string, 'quickstart-drop-table');
    result = resultSchema.parse(JSON.parse(readFileSync(path.join(drillDir, 'result.json'), 'utf8')));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function open(file: string) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    return { page, errors, requests };
  }

  it('shows the verdict, the measured numbers and the charts, offline, without errors', async () => {
    const { page, errors, requests } = await open(path.join(drillDir, 'report.html'));
    expect(await page.locator('#status').innerText()).to.equal('PASSED');
    const objectives = await page.locator('#objectives').innerText();
    expect(objectives).to.contain('objective 2m').and.contain('objective 5s');
    expect(await page.locator('#lost-markers').innerText()).to.equal(String(result.measured.lostMarkers));
    // Bars are drawn: the RTO bar and the objective line have a size on screen.
    const bar = await page.locator('.bar-objective').first().boundingBox();
    expect(bar?.height).to.be.greaterThan(10);
    const segments = await page.locator('.gantt .seg.rto').count();
    expect(segments).to.equal(4);
    expect(await page.locator('#checks').innerText()).to.contain('table orders restored');
    expect(await page.locator('#recovery').innerText()).to.contain(`recovery stopping before commit of transaction ${result.incident?.xid}`);
    expect(errors).to.deep.equal([]);
    expect(requests.filter((u) => !u.startsWith('file://'))).to.deep.equal([]);
    mkdirSync(path.join(ROOT, 'reports', 'screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'reports', 'screenshots', 'report.png'), fullPage: true });
  });

  it('renders user-provided text as text (no script runs)', async () => {
    const hostile: DrillResult = {
      ...result,
      drill: { ...result.drill, name: '<script>alert(1)</script>', description: '<img src=x onerror=alert(2)>' },
      checks: [{ name: '<b>check</b>', status: 'failed', detail: '</td><script>alert(3)</script>' }],
      status: 'failed',
      diagnosis: '<script>alert(4)</script>',
    };
    const file = path.join(drillDir, 'hostile.html');
    writeFileSync(file, renderReport(hostile));
    const { page, errors, requests } = await open(file);
    expect(await page.locator('h1').innerText()).to.equal('<script>alert(1)</script>');
    expect(await page.locator('#diagnosis pre').innerText()).to.equal('<script>alert(4)</script>');
    expect(await page.locator('script').count()).to.equal(0);
    expect(errors).to.deep.equal([]);
    expect(requests.filter((u) => !u.startsWith('file://'))).to.deep.equal([]);
  });
});
