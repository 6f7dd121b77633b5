// One real run of two drills (one passes, one fails) with every output switched on: JUnit, Prometheus metrics,
// GitHub's step summary, Slack (a local stand-in) and the history page, which is then opened in Chromium.
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { summarySchema, type RunSummary } from '../model/result-schema.js';
import { launchChromium } from '../test-support/browser.js';
import { ROOT, runCli, testFolders, type CliRun } from '../test-support/cli.js';
import { writeDrill } from '../test-support/drill-files.js';
import { fakeSlack, type FakeSlack } from '../test-support/fake-slack.js';

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('run outputs: JUnit, metrics, step summary, Slack, history (real run)', function () {
  this.timeout(180_000);
  const { out, work } = testFolders();
  const junit = path.join(work, 'junit.xml');
  const metrics = path.join(work, 'pgdrill.prom');
  const stepSummary = path.join(work, 'step-summary.md');
  let slack: FakeSlack;
  let run: CliRun;
  let summary: RunSummary;

  before(async () => {
    slack = await fakeSlack([{ status: 429, retryAfter: '0' }, { status: 200 }]);
    const failing = writeDrill(`name: wrong-count
objectives: { rto: 2m, rpo: 5s }
workload: { fixtures: [$FIXTURES/shop.sql] }
incident: { kind: drop-table, table: orders }
verify:
  - name: customers count
    sql: select count(*) from customers
    expect: "99"
`);
    run = await runCli(
      ['run', 'drills/quickstart.yaml', failing, '--out', out, '--json', '--junit', junit, '--metrics', metrics, '--slack-webhook', slack.url, '--report-url', 'https://ci.example.com/run/1'],
      { env: { PGDRILL_WORK_DIR: work, GITHUB_STEP_SUMMARY: stepSummary } },
    );
    summary = summarySchema.parse(JSON.parse(run.stdout));
  });
  after(() => slack.close());

  it('exits 1 because one drill failed, and lists both in summary.json', () => {
    expect(run.code, run.stderr).to.equal(1);
    expect(summary.drills.map((d) => [d.drill, d.status])).to.deep.equal([
      ['quickstart-drop-table', 'passed'],
      ['wrong-count', 'failed'],
    ]);
    expect(summary.warnings).to.deep.equal([]);
  });

  it('writes JUnit XML: a test case per drill and per check, failures carrying the diagnosis', () => {
    const xml = readFileSync(junit, 'utf8');
    expect(xml).to.match(/^<\?xml/);
    expect(xml).to.contain('<testsuite name="quickstart-drop-table"').and.contain('<testsuite name="wrong-count"');
    const suites = xml.split('<testsuite ').slice(1);
    const [quick, wrong] = suites;
    const result = (name: string) => JSON.parse(readFileSync(summary.drills.find((d) => d.drill === name)?.result ?? '', 'utf8')) as { checks: unknown[] };
    expect(quick?.match(/<testcase /g)).to.have.length(result('quickstart-drop-table').checks.length + 1);
    expect(quick).not.to.contain('<failure');
    expect(wrong).to.match(/<testcase classname="pgdrill.wrong-count" name="customers count"[^>]*>\s*<failure message="returned &quot;100&quot;, expected &quot;99&quot;"/);
    expect(wrong).to.match(/<testcase classname="pgdrill.wrong-count" name="drill"[^>]*>\s*<failure message="customers count: returned/);
  });

  it('writes Prometheus metrics that match the results', () => {
    const text = readFileSync(metrics, 'utf8');
    const sample = (name: string, labels: string) => {
      const m = new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    const quick = summary.drills[0];
    expect(sample('pgdrill_drill_rto_seconds', 'drill="quickstart-drop-table"')).to.equal(quick?.rtoSeconds);
    expect(sample('pgdrill_drill_rpo_seconds', 'drill="quickstart-drop-table"')).to.equal(quick?.rpoSeconds);
    expect(sample('pgdrill_drill_objective_met', 'drill="quickstart-drop-table",objective="rto"')).to.equal(1);
    expect(sample('pgdrill_drill_passed', 'drill="wrong-count"')).to.equal(0);
    const last = sample('pgdrill_drill_last_run_timestamp_seconds', 'drill="wrong-count"') ?? 0;
    expect(Math.abs(last - Date.now() / 1000)).to.be.below(300);
    expect(text).to.contain('# TYPE pgdrill_drill_rto_seconds gauge');
  });

  it('appends a Markdown table to the GitHub step summary', () => {
    const md = readFileSync(stepSummary, 'utf8');
    expect(md).to.contain(`### pgdrill run ${summary.runId}`);
    expect(md).to.match(/\| quickstart-drop-table \| ✅ PASSED \| \S+ \/ 2m \| \S+ \/ 5s \|/);
    expect(md).to.match(/\| wrong-count \| ❌ FAILED \|.*customers count: returned "100", expected "99"/);
  });

  it('posts one Block Kit message to Slack, retrying after a 429, and never leaks the webhook URL', () => {
    expect(slack.requests).to.have.length(2); // 429, then 200
    const body = slack.requests[1]?.body as { text: string; blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ url?: string }> }> };
    expect(body.text).to.equal('pgdrill: 1 of 2 drill(s) FAILED');
    const sections = body.blocks.filter((b) => b.type === 'section').map((b) => b.text?.text ?? '');
    expect(sections[0]).to.contain('*quickstart-drop-table*: ✅ PASSED').and.match(/RTO \S+ \(objective 2m\) ✅/);
    expect(sections[1]).to.contain('*wrong-count*: ❌ FAILED').and.contain('customers count: returned "100", expected "99"');
    expect(body.blocks.find((b) => b.type === 'actions')?.elements?.[0]?.url).to.equal('https://ci.example.com/run/1');
    const secret = 'secretWebhookToken42';
    expect(run.stderr + run.stdout).not.to.contain(secret);
    for (const f of allFiles(out)) expect(readFileSync(f, 'utf8'), f).not.to.contain(secret);
  });

  describe('history page in Chromium', () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium();
    });
    after(() => browser?.close());

    for (const javaScriptEnabled of [true, false]) {
      it(`lists the run and draws a trend chart per drill (JavaScript ${javaScriptEnabled ? 'on' : 'off'}), offline, without errors`, async () => {
        const index = path.join(out, 'index.html');
        expect(existsSync(index)).to.equal(true);
        const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1200, height: 900 } });
        const page = await context.newPage();
        const errors: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('request', (r) => requests.push(r.url()));
        await page.goto(`file://${index}`);
        expect(await page.locator('#total-count').innerText()).to.equal('2');
        expect(await page.locator('#passed-count').innerText()).to.equal('1');
        expect(await page.locator('.run-row').count()).to.equal(2);
        expect(await page.locator('svg.trend').count()).to.equal(4);
        const box = await page.locator('svg.trend').first().boundingBox();
        expect(box?.width).to.be.greaterThan(300);
        expect(await page.locator('svg.trend circle').count()).to.equal(4);
        await page.locator('a', { hasText: 'report' }).first().click();
        expect(page.url()).to.match(/report\.html$/);
        expect(errors).to.deep.equal([]);
        expect(requests.filter((u) => !u.startsWith('file://'))).to.deep.equal([]);
        if (javaScriptEnabled) {
          await page.goto(`file://${index}`);
          await page.screenshot({ path: path.join(ROOT, 'reports', 'screenshots', 'index.png'), fullPage: true });
        }
        await context.close();
      });
    }
  });
});
