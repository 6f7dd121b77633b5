// pgdrill's metrics read by the real Prometheus tools from Debian: promtool lints every file pgdrill writes, a
// real node_exporter serves the textfile, a real Pushgateway receives the push, a real Prometheus scrapes both,
// evaluates the shipped alert rules and answers every query of the shipped Grafana dashboard. Two real runs in
// one output folder: the second fails the drill that passed in the first, so the last-success timestamp must
// stay at the first run (the batch-job pattern) while the last-run timestamp and the verdict move.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { summarySchema, type RunSummary } from '../model/result-schema.js';
import { ROOT, runCli, testFolders } from '../test-support/cli.js';
import { writeDrill, wrongCountDrill } from '../test-support/drill-files.js';
import { nodeExporter, prometheus, pushgateway, query, until, type Daemon } from '../test-support/prometheus-stack.js';
import { coverage, coverageMetrics } from '../fleet/coverage.js';

const RULES = path.join(ROOT, 'deploy', 'prometheus', 'pgdrill-rules.yml');
const DASHBOARD = path.join(ROOT, 'deploy', 'grafana', 'pgdrill.json');

function sample(text: string, name: string, labels: string): number | undefined {
  const m = new RegExp(`^${name}\\{${labels.replace(/[{}]/g, '\\$&')}\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

const QUICK = 'quickstart-drop-table';

describe('Prometheus: promtool, node_exporter, Pushgateway, Prometheus and its rules (real tools)', function () {
  this.timeout(240_000);
  const { out, work } = testFolders();
  const textDir = path.join(work, 'textfile');
  const metricsFile = path.join(textDir, 'pgdrill.prom');
  let gateway: Daemon;
  let exporter: Daemon;
  let prom: Daemon;
  let first: RunSummary;
  let second: RunSummary;
  let firstText = '';
  let secondText = '';
  const whenOf = (s: RunSummary, drill: string) => {
    const file = s.drills.find((d) => d.drill === drill)?.result ?? '';
    return Math.round(Date.parse((JSON.parse(readFileSync(file, 'utf8')) as { endedAt: string }).endedAt) / 1000);
  };

  before(async () => {
    mkdirSync(textDir, { recursive: true });
    gateway = await pushgateway();
    const env = { PGDRILL_WORK_DIR: work, PGDRILL_INSTANCE: 'ci-test' };
    const failing = wrongCountDrill('{ rto: 2m, rpo: 5s, validateEvery: 7d }');
    const one = await runCli(['run', 'drills/quickstart.yaml', failing, '--out', out, '--json', '--metrics', metricsFile, '--pushgateway', gateway.url], { env });
    expect(one.code, one.stderr).to.equal(1);
    first = summarySchema.parse(JSON.parse(one.stdout));
    firstText = readFileSync(metricsFile, 'utf8');
    // The second run: the quickstart drill (same name) now finds a problem; another drill passes.
    const broken = writeDrill(readFileSync(path.join(ROOT, 'drills', 'quickstart.yaml'), 'utf8').replace('expect: "100"', 'expect: "101"').replace('../fixtures/', '$FIXTURES/'), 'quickstart.yaml');
    const steady = writeDrill(readFileSync(path.join(ROOT, 'drills', 'quickstart.yaml'), 'utf8').replace(`name: ${QUICK}`, 'name: steady').replace('../fixtures/', '$FIXTURES/'), 'steady.yaml');
    const two = await runCli(['run', broken, steady, '--out', out, '--json', '--metrics', metricsFile, '--pushgateway', gateway.url], { env });
    expect(two.code, two.stderr).to.equal(1);
    second = summarySchema.parse(JSON.parse(two.stdout));
    secondText = readFileSync(metricsFile, 'utf8');
    exporter = await nodeExporter(textDir);
    prom = await prometheus(path.join(work, 'prometheus'), { nodeExporter: exporter.url, pushgateway: gateway.url }, [RULES]);
  });
  after(async () => {
    await Promise.all([prom?.stop(), exporter?.stop(), gateway?.stop()]);
  });

  it('writes files promtool check metrics accepts without a lint warning (run metrics of both runs, fleet metrics)', () => {
    const fleet = path.join(work, 'fleet.prom');
    writeFileSync(fleet, coverageMetrics(coverage(out, { now: new Date() })));
    for (const [name, text] of [['first run', firstText], ['second run', secondText], ['fleet', readFileSync(fleet, 'utf8')]] as const) {
      const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(r.status, `${name}: ${r.stdout}${r.stderr}`).to.equal(0);
      expect(`${r.stdout}${r.stderr}`.trim(), name).to.equal('');
    }
    expect(readdirSync(textDir), 'no temporary file left next to it').to.deep.equal(['pgdrill.prom']);
  });

  it('keeps the last-success timestamp of the first run when the second fails; moves the last run and the verdict', () => {
    const passedAt = whenOf(first, QUICK);
    expect(sample(firstText, 'pgdrill_drill_last_success_timestamp_seconds', `drill="${QUICK}"`)).to.equal(passedAt);
    expect(sample(secondText, 'pgdrill_drill_last_success_timestamp_seconds', `drill="${QUICK}"`), 'still the first run').to.equal(passedAt);
    expect(sample(secondText, 'pgdrill_drill_last_run_timestamp_seconds', `drill="${QUICK}"`)).to.equal(whenOf(second, QUICK));
    expect(sample(secondText, 'pgdrill_drill_verdict', `drill="${QUICK}",verdict="failed"`)).to.equal(1);
    expect(sample(secondText, 'pgdrill_drill_verdict', `drill="${QUICK}",verdict="passed"`)).to.equal(0);
    expect(sample(secondText, 'pgdrill_drill_runs_total', `drill="${QUICK}",verdict="passed"`)).to.equal(1);
    expect(sample(secondText, 'pgdrill_drill_runs_total', `drill="${QUICK}",verdict="failed"`)).to.equal(1);
    // A drill that never passed has no last-success series at all (alerts use its absence, not a 0).
    expect(firstText).to.match(/^pgdrill_drill_last_run_timestamp_seconds\{drill="wrong-count"\} \d+$/m);
    expect(firstText).not.to.match(/pgdrill_drill_last_success_timestamp_seconds\{drill="wrong-count"\}/);
    expect(sample(firstText, 'pgdrill_drill_validate_every_seconds', 'drill="wrong-count"')).to.equal(7 * 86400);
    expect(sample(firstText, 'pgdrill_drill_finding', 'drill="wrong-count",code="sql-mismatch"') ?? sample(firstText, 'pgdrill_drill_finding', 'drill="wrong-count",code="check-failed"')).to.equal(1);
    expect(sample(firstText, 'pgdrill_drill_rto_seconds', `drill="${QUICK}"`)).to.equal(first.drills.find((d) => d.drill === QUICK)?.rtoSeconds);
    expect(firstText).to.match(/^pgdrill_build_info\{version="[^"]+",node_version="[^"]+"\} 1$/m);
    expect(firstText).to.match(/^pgdrill_drill_phase_duration_seconds\{drill="quickstart-drop-table",phase="wal-replay"\} [\d.]+$/m);
  });

  it('is served by node_exporter\'s textfile collector without a scrape error', async () => {
    const text = await (await fetch(`${exporter.url}/metrics`)).text();
    expect(text).to.match(/^node_textfile_scrape_error 0$/m);
    expect(text).to.contain(`pgdrill_drill_passed{drill="${QUICK}"} 0`).and.contain('pgdrill_drill_passed{drill="steady"} 1');
  });

  it('is received by the Pushgateway, grouped by job and instance', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).to.match(new RegExp(`^pgdrill_drill_passed\\{drill="steady",instance="ci-test",job="pgdrill"\\} 1$`, 'm'));
    // A push replaces the group: the first run's wrong-count is gone, as in the file.
    expect(text).not.to.contain('drill="wrong-count"');
    expect(text).to.match(/^push_time_seconds\{instance="ci-test",job="pgdrill"\} /m);
  });

  it('is scraped by Prometheus from both, with the values of the run', async () => {
    const rto = second.drills.find((d) => d.drill === 'steady')?.rtoSeconds;
    const got = await until(prom, 'pgdrill_drill_rto_seconds{drill="steady"}', (s) => s.length === 2);
    expect(got.map((s) => s.metric['job']).sort()).to.deep.equal(['node', 'pgdrill']);
    for (const s of got) expect(Number(s.value[1])).to.equal(rto);
  });

  it('fires the shipped alert for the failed drill and not for the passed one', async () => {
    await until(prom, 'ALERTS{alertname="PgdrillDrillFailed",alertstate="firing"}', (s) => s.length === 2);
    const firing = await query(prom, 'ALERTS{alertstate="firing"}');
    expect([...new Set(firing.filter((s) => s.metric['alertname'] === 'PgdrillDrillFailed').map((s) => s.metric['drill']))]).to.deep.equal([QUICK]);
    expect(firing.filter((s) => s.metric['drill'] === 'steady'), 'nothing fires for the drill that passed').to.deep.equal([]);
  });

  it('ships rules promtool accepts and whose unit tests pass both ways', () => {
    execFileSync('promtool', ['check', 'rules', RULES], { stdio: 'pipe' });
    const r = spawnSync('promtool', ['test', 'rules', 'pgdrill-rules.test.yml'], { cwd: path.dirname(RULES), encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
  });

  it('ships a Grafana dashboard whose every query names exported metrics and returns data from a real Prometheus', async () => {
    const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }>; templating: { list: Array<{ definition?: string }> } };
    const exprs = [...dash.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr }))), ...dash.templating.list.filter((v) => v.definition).map((v) => ({ title: 'variable', expr: v.definition ?? '' }))];
    expect(exprs.length).to.be.above(10);
    const exported = new Set([...firstText.matchAll(/^# TYPE (\S+)/gm), ...secondText.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
    for (const { title, expr } of exprs) {
      for (const name of expr.match(/\bpgdrill_[a-z_]+/g) ?? []) expect(exported.has(name), `${title}: ${name} is not a metric pgdrill writes`).to.equal(true);
    }
    for (const { title, expr } of exprs.filter((e) => e.title !== 'variable')) {
      const result = await until(prom, expr.replace(/\$drill/g, '.+'), (s) => s.length > 0, 15_000);
      expect(result.length, title).to.be.above(0);
    }
  });
});
