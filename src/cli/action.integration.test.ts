// The composite GitHub Action at the repository root (action.yml): valid for GitHub's own action schema, and its
// steps run in a shell with the files and variables a runner sets, against real drills. Three ways: every drill
// passes (the job passes), one drill fails (outputs and summary say which, the report is uploaded, the last step
// fails the job), and bad input (pgdrill cannot start: the summary says so, the job fails with exit 2).
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { NoOperationTraceWriter } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index';
import { ROOT, testFolders } from '../test-support/cli.js';
import { wrongCountDrill } from '../test-support/drill-files.js';
import { fakeSlack, type FakeSlack } from '../test-support/fake-slack.js';
import { runCompositeAction, type ActionRun } from '../test-support/composite-action.js';

const INSTALL = 'Install pgdrill and what its drills need';

function allText(dir: string): string {
  return readdirSync(dir).map((f) => path.join(dir, f)).map((f) => (statSync(f).isDirectory() ? allText(f) : readFileSync(f, 'latin1'))).join('\n');
}

describe('GitHub Action (action.yml): schema, and its steps run as a runner would', function () {
  this.timeout(300_000);
  const { work } = testFolders();
  let slack: FakeSlack;
  const run = (name: string, inputs: Record<string, string>, skip: string[] = [INSTALL]): Promise<ActionRun> => {
    const temp = path.join(work, name);
    mkdirSync(temp, { recursive: true });
    // The suite's own node_modules and dist are in place: the install step must not reinstall them mid-suite.
    return runCompositeAction(ROOT, { inputs: { 'working-directory': ROOT, out: path.join(temp, 'reports'), provider: 'local', ...inputs }, cwd: ROOT, temp, env: { PGDRILL_WORK_DIR: work, PGDRILL_BIN: path.join(ROOT, 'bin', 'pgdrill.js'), NO_COLOR: '1', PGDRILL_SETUP_SKIP_NPM: '1' }, skip });
  };
  const step = (r: ActionRun, name: string) => r.steps.find((s) => s.name === name || s.uses?.startsWith(name));
  let passed: ActionRun;
  let failed: ActionRun;
  let bad: ActionRun;

  before(async () => {
    slack = await fakeSlack([{ status: 200 }, { status: 200 }, { status: 200 }]);
    // The first run also runs the install step (scripts/setup.sh from the action's checkout).
    passed = await run('passed', { drills: 'drills/quickstart.yaml' }, []);
    const wrong = wrongCountDrill();
    failed = await run('failed', { drills: `drills/quickstart.yaml ${wrong}`, 'slack-webhook': slack.url, notify: 'always' });
    bad = await run('bad', { drills: 'drills/no-such-drill.yaml' });
  });
  after(() => slack.close());

  it('is valid for GitHub\'s action schema (GitHub\'s own parser), composite, with every output declared', async () => {
    const parsed = parseAction({ name: 'action.yml', content: readFileSync(path.join(ROOT, 'action.yml'), 'utf8') }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((e) => e.message)).to.deep.equal([]);
    const t = await convertActionTemplate(parsed.context, parsed.value!);
    expect(t.runs?.using).to.equal('composite');
    expect((t.outputs ?? []).map((o) => o.id)).to.have.members(['ok', 'verified', 'failed', 'rto-seconds', 'rpo-seconds', 'exit-code', 'report-path', 'summary-path']);
    // The parser does reject what a runner would: a composite run step without a shell.
    const broken = parseAction({ name: 'broken.yml', content: 'name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - run: echo\n' }, new NoOperationTraceWriter());
    expect(broken.context.errors.getErrors().map((e) => e.message).join()).to.contain('shell');
  });

  it('all drills pass: installs pgdrill, ok and verified true, RTO/RPO as JSON, the summary table, the report uploaded, the job passes', () => {
    expect(step(passed, INSTALL)?.code, step(passed, INSTALL)?.stderr).to.equal(0);
    expect(step(passed, INSTALL)?.stdout).to.match(/pgdrill: \d+\.\d+\.\d+ at .*bin\/pgdrill\.js/);
    expect(passed.outputs).to.include({ ok: 'true', verified: 'true', failed: '[]', 'exit-code': '0' });
    const summary = JSON.parse(readFileSync(passed.outputs['summary-path'] ?? '', 'utf8')) as { drills: Array<{ drill: string; rtoSeconds: number; rpoSeconds: number }> };
    const rto = JSON.parse(passed.outputs['rto-seconds'] ?? '{}') as Record<string, number>;
    expect(rto).to.deep.equal({ 'quickstart-drop-table': summary.drills[0]?.rtoSeconds });
    expect(JSON.parse(passed.outputs['rpo-seconds'] ?? '{}')).to.deep.equal({ 'quickstart-drop-table': summary.drills[0]?.rpoSeconds });
    expect(passed.summary).to.match(/\| quickstart-drop-table \| ✅ PASSED \|/);
    const upload = step(passed, 'actions/upload-artifact');
    expect(upload?.with).to.include({ name: 'pgdrill-reports', path: passed.outputs['report-path'] });
    expect(existsSync(path.join(passed.outputs['report-path'] ?? '', 'junit.xml'))).to.equal(true);
    expect(existsSync(path.join(passed.outputs['report-path'] ?? '', 'pgdrill.prom'))).to.equal(true);
    expect(step(passed, 'Fail the job when a drill did not pass')?.code).to.equal(0);
  });

  it('a drill fails: the outputs keep ok apart from verified, name the drill, the report is still uploaded, the last step fails the job', () => {
    expect(failed.outputs).to.include({ ok: 'false', verified: 'true', failed: '["wrong-count"]', 'exit-code': '1' });
    expect(step(failed, 'Run the drills')?.code, 'the run step itself never fails').to.equal(0);
    expect(failed.summary).to.match(/\| wrong-count \| ❌ FAILED \|/).and.match(/\| quickstart-drop-table \| ✅ PASSED \|/);
    expect(step(failed, 'actions/upload-artifact')?.with?.['path']).to.equal(failed.outputs['report-path']);
    const last = step(failed, 'Fail the job when a drill did not pass');
    expect(last?.code).to.equal(1);
    expect(last?.stdout).to.contain('::error::pgdrill exited 1; drills not passed: ["wrong-count"]');
    expect(slack.requests.length, 'posted to Slack').to.equal(1);
    expect(JSON.stringify(slack.requests[0])).to.contain('https://github.com/acme/db/actions/runs/42');
    // The webhook URL is a secret: in no output, summary or report file.
    for (const text of [JSON.stringify(failed.outputs), failed.summary, allText(failed.outputs['report-path'] ?? '')]) expect(text).not.to.contain(slack.url);
  });

  it('bad input: pgdrill cannot start a run; outputs say nothing was verified, the summary says why, the job fails with exit 2', () => {
    expect(bad.outputs).to.include({ ok: 'false', verified: 'false', failed: '[]', 'exit-code': '2', 'summary-path': '' });
    expect(bad.summary).to.contain('### pgdrill could not run (exit 2)').and.contain('no-such-drill.yaml');
    expect(step(bad, 'Fail the job when a drill did not pass')?.code).to.equal(2);
  });
});
