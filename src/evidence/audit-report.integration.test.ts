// The auditor's report over real runs: three drills, signed, one of them required every 2 s and run again only
// later (a whole run, several seconds), so its gap is known from construction; the other two (required every 7 days) have none. The HTML is
// opened in Chromium (screenshot in reports/screenshots/), the CSV read back; a changed file shows up in both.
import { expect } from 'chai';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium } from '../test-support/browser.js';
import { ROOT, runCli, testFolders } from '../test-support/cli.js';
import type { Manifest } from './manifest.js';
import { keygen } from './signing.js';

describe("the auditor's report of a period (pgdrill evidence report)", function () {
  this.timeout(300_000);
  const { work } = testFolders();
  const out = path.join(work, 'reports');
  const env = { PGDRILL_WORK_DIR: work, GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'dba-alice', GITHUB_EVENT_NAME: 'schedule', GITHUB_REPOSITORY: 'acme/db', GITHUB_RUN_ID: '42', GITHUB_SHA: 'abc123' };
  let key: { privateFile: string; publicFile: string };
  const runIds: string[] = [];

  before(async () => {
    key = keygen(path.join(work, 'key'));
    const quickstart = readFileSync(path.join(ROOT, 'drills', 'quickstart.yaml'), 'utf8').replace(/\.\.\/fixtures/g, path.join(ROOT, 'fixtures'));
    const dir = path.join(work, 'drills');
    mkdirSync(dir, { recursive: true });
    for (const [name, every] of [['orders', '7d'], ['billing', '7d'], ['ledger', '2s']] as const) {
      writeFileSync(path.join(dir, `${name}.yaml`), quickstart.replace('name: quickstart-drop-table', `name: ${name}`).replace('objectives: { rto: 2m, rpo: 5s }', `objectives: { rto: 2m, rpo: 5s, validateEvery: ${every} }`));
    }
    for (const args of [[dir], [path.join(dir, 'ledger.yaml')]]) {
      const run = await runCli(['run', ...args, '--out', out, '--signing-key', key.privateFile], { env });
      expect(run.code, run.stderr).to.equal(0);
      runIds.push(readdirSync(out).filter((d) => /^\d/.test(d)).sort().at(-1) ?? '');
    }
  });

  const manifest = (run: string) => JSON.parse(readFileSync(path.join(out, run, 'evidence', 'manifest.json'), 'utf8')) as Manifest;

  it('lists every run with who and what, the last verified date of each drill, and the one gap longer than its validateEvery', async () => {
    const [first, second] = runIds.map(manifest) as [Manifest, Manifest];
    expect(first.ranBy.ci).to.deep.include({ actor: 'dba-alice', event: 'schedule' });
    const gapFrom = new Date(Date.parse(first.endedAt) + 2000).toISOString();
    const to = path.join(work, 'audit');
    // The period starts at the first pass: before it nothing was verified, and the report would say so.
    const r = await runCli(['evidence', 'report', out, '--from', first.endedAt, '--until', second.endedAt, '--public-key', key.publicFile, '--to', to]);
    expect(r.code, `the ledger gap fails the report: ${r.stderr}`).to.equal(1);
    expect(r.stderr).to.contain(`ledger: 2 run(s), 2 passed, last verified ${second.endedAt}; GAP ${gapFrom} to ${second.endedAt}`);
    expect(r.stderr).to.contain(`orders: 1 run(s), 1 passed, last verified ${first.endedAt}\n`).and.contain(`billing: 1 run(s), 1 passed, last verified ${first.endedAt}\n`);
    expect(r.stderr).to.contain('evidence verified; 1 drill(s) with a gap');

    const csv = readFileSync(path.join(to, 'restore-tests.csv'), 'utf8').trim().split('\r\n');
    expect(csv[0]).to.equal('drill,run_id,started_at,ended_at,status,verdict,rto_seconds,rto_objective_seconds,rpo_seconds,rpo_objective_seconds,ran_by,trigger,backup,drill_sha256,pgdrill_version,image,signed_by');
    expect(csv).to.have.length(1 + 4);
    const ledgerRows = csv.filter((l) => l.startsWith('"ledger"'));
    expect(ledgerRows).to.have.length(2);
    const drillSha = second.drills.find((d) => d.name === 'ledger')?.sha256 ?? 'x';
    for (const row of ledgerRows) expect(row).to.contain('"passed"').and.contain('"dba-alice (github-actions https://github.com/acme/db/actions/runs/42)').and.contain('"schedule"').and.contain(`"${drillSha}"`).and.contain(`"${second.signing?.fingerprint}"`);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(`file://${path.join(to, 'restore-tests.html')}`);
      const text = await page.innerText('body');
      expect(text).to.contain('Evidence verification: passed');
      expect(text).to.match(/ledger\s+2\s+2\s+\S+\s+2s\s+\S+ to \S+ \([^)]+\)/);
      expect(text).to.match(/orders\s+1\s+1\s+\S+\s+7d\s+none/);
      expect(text).to.match(/ledger\s+\S+\s+\S+\s+PASSED\s/);
      expect(await page.locator('tr.gap').count(), 'one drill row flagged').to.equal(1);
      expect(errors).to.deep.equal([]);
      mkdirSync(path.join(ROOT, 'reports', 'screenshots'), { recursive: true });
      await page.screenshot({ path: path.join(ROOT, 'reports', 'screenshots', 'restore-tests.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it('a drill asked for that never ran is never verified; a changed result makes the report say the evidence does not verify', async () => {
    const to = path.join(work, 'audit-2');
    const day = manifest(runIds[0]!).startedAt.slice(0, 10);
    const asked = await runCli(['evidence', 'report', out, '--from', day, '--until', day, '--drill', 'orders', 'payroll', '--to', to]);
    expect(asked.code).to.equal(1);
    expect(asked.stderr).to.contain('payroll: 0 run(s), 0 passed, last verified never');
    const slug = readdirSync(path.join(out, runIds[0]!)).find((d) => d === 'orders') ?? 'orders';
    const file = path.join(out, runIds[0]!, slug, 'result.json');
    const original = readFileSync(file);
    writeFileSync(file, original.toString('utf8').replace('"status": "passed"', '"status": "passed" '));
    try {
      const changed = await runCli(['evidence', 'report', out, '--from', day, '--until', day, '--drill', 'orders', '--to', to]);
      expect(changed.code).to.equal(1);
      expect(changed.stderr).to.contain('EVIDENCE DOES NOT VERIFY (1 problem(s))');
      expect(readFileSync(path.join(to, 'restore-tests.html'), 'utf8')).to.contain(`${runIds[0]}: MODIFIED ${slug}/result.json`);
    } finally {
      writeFileSync(file, original);
    }
  });
});
