// One OpenTelemetry trace per run, sent by the official OTLP/HTTP exporter to a local receiver that decodes
// the spans: names, nesting, times and attributes of a real run of two drills (one passes, one fails). And
// without an endpoint, no @opentelemetry module is loaded at all.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { summarySchema, type RunSummary } from '../model/result-schema.js';
import { ROOT, runCli, testFolders } from '../test-support/cli.js';
import { wrongCountDrill } from '../test-support/drill-files.js';
import { otlpReceiver, type OtlpReceiver, type OtlpSpan } from '../test-support/otlp-receiver.js';
import { otlpTracesUrl } from './otlp-url.js';

describe('OpenTelemetry: one trace per run over OTLP/HTTP (real run, local receiver)', function () {
  this.timeout(180_000);
  const { out, work } = testFolders();
  let receiver: OtlpReceiver;
  let summary: RunSummary;
  let code: number | null;
  const spans = () => receiver.spans;
  const byName = (n: string) => spans().filter((s) => s.name === n);

  before(async () => {
    receiver = await otlpReceiver();
    const failing = wrongCountDrill();
    const run = await runCli(['run', 'drills/quickstart.yaml', failing, '--out', out, '--json'], { env: { PGDRILL_WORK_DIR: work, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/db', GITHUB_RUN_ID: '42' } });
    code = run.code;
    summary = summarySchema.parse(JSON.parse(run.stdout));
  });
  after(() => receiver.close());

  it('sends one trace in the OTLP JSON encoding, from service pgdrill', () => {
    expect(code).to.equal(1);
    expect(summary.warnings, 'exported without a warning').to.deep.equal([]);
    expect(receiver.contentTypes.every((t) => t.startsWith('application/json'))).to.equal(true);
    expect(new Set(spans().map((s) => s.traceId)).size).to.equal(1);
    expect(receiver.resources[0]).to.include({ 'service.name': 'pgdrill' });
  });

  it('nests a span per drill under the run and a span per phase under its drill, with their real times', () => {
    const [root, ...others] = byName('pgdrill run');
    expect(others).to.deep.equal([]);
    expect(root?.parentSpanId ?? '').to.equal('');
    const drills = spans().filter((s) => s.name.startsWith('drill '));
    expect(drills.map((s) => s.name).sort()).to.deep.equal(['drill quickstart-drop-table', 'drill wrong-count']);
    for (const d of drills) expect(d.parentSpanId).to.equal(root?.spanId);
    const quick = drills.find((s) => s.name === 'drill quickstart-drop-table') as OtlpSpan;
    const result = JSON.parse(readFileSync(summary.drills.find((d) => d.drill === 'quickstart-drop-table')?.result ?? '', 'utf8')) as { phases: Array<{ name: string; startedAt: string; endedAt: string }>; measured: { rtoSeconds: number; rpoSeconds: number } };
    const phases = spans().filter((s) => s.parentSpanId === quick.spanId);
    expect(phases.map((s) => s.name)).to.have.members(result.phases.map((p) => p.name));
    expect(phases.map((s) => s.name)).to.include.members(['restore-files', 'wal-replay', 'verify']);
    for (const p of result.phases) {
      const s = phases.find((x) => x.name === p.name) as OtlpSpan;
      expect(Number(BigInt(s.startTimeUnixNano) / 1_000_000n)).to.equal(Date.parse(p.startedAt));
      expect(Number(BigInt(s.endTimeUnixNano) / 1_000_000n)).to.equal(Date.parse(p.endedAt));
    }
    expect(quick.attributes).to.include({ 'pgdrill.rto_seconds': result.measured.rtoSeconds, 'pgdrill.rpo_seconds': result.measured.rpoSeconds });
  });

  it('carries the CI/CD semantic conventions, the verdict and the finding codes', () => {
    const root = byName('pgdrill run')[0] as OtlpSpan;
    expect(root.attributes).to.include({ 'cicd.pipeline.name': 'pgdrill', 'cicd.pipeline.run.id': summary.runId, 'cicd.pipeline.result': 'failure', 'cicd.pipeline.run.url.full': 'https://github.com/acme/db/actions/runs/42' });
    expect(root.status?.code).to.equal(2);
    const quick = byName('drill quickstart-drop-table')[0] as OtlpSpan;
    const wrong = byName('drill wrong-count')[0] as OtlpSpan;
    expect(quick.attributes).to.include({ 'cicd.pipeline.task.name': 'quickstart-drop-table', 'cicd.pipeline.task.run.result': 'success', 'cicd.pipeline.task.type': 'test', 'pgdrill.drill.verdict': 'passed', 'pgdrill.backup.method': 'pg_basebackup', 'db.system.name': 'postgresql', 'pgdrill.objective.rto_seconds': 120 });
    expect(quick.status?.code ?? 0, 'unset, not error').to.not.equal(2);
    expect(wrong.attributes).to.include({ 'cicd.pipeline.task.run.result': 'failure', 'pgdrill.drill.verdict': 'failed' });
    // The RTO is not met either: a recovery that failed a check is not verified.
    expect(wrong.attributes['pgdrill.finding.codes']).to.have.members(['sql-mismatch', 'rto-missed']);
    expect(wrong.status).to.include({ code: 2 });
  });

  it('loads no @opentelemetry module on a run without an endpoint, and no Docker client on the local provider', async () => {
    const log = path.join(work, 'modules.log');
    const run = await runCli(['run', 'drills/quickstart.yaml', '--provider', 'local', '--out', path.join(work, 'plain')], {
      env: { PGDRILL_WORK_DIR: work, OTEL_EXPORTER_OTLP_ENDPOINT: '', PGDRILL_TEST_MODULE_LOG: log, NODE_OPTIONS: `--import=${path.join(ROOT, 'src/test-support/module-log.mjs')}` },
    });
    expect(run.code, run.stderr).to.equal(0);
    // The CLI runs from its bundle (scripts/bundle.js): each file of it loaded stands for the sources it holds.
    const bundled = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'bundle', 'inputs.json'), 'utf8')) as Record<string, string[]>;
    const loaded = readFileSync(log, 'utf8')
      .split('\n')
      .flatMap((u) => (u.includes('/dist/bundle/') ? [u, ...(bundled[path.basename(u)] ?? [])] : [u]));
    expect(loaded.filter((u) => u.includes('dist/bundle/main.js')).length, 'the run came through the bundle').to.be.above(0);
    expect(loaded.filter((u) => u.includes('dist/report/')).length, 'the log saw pgdrill\'s own modules').to.be.above(0);
    expect(loaded.filter((u) => u.includes('@opentelemetry') || u.includes('tracing.js'))).to.deep.equal([]);
    // testcontainers is bundled into the docker provider's own chunks: a local drill loads none of them.
    expect(loaded.filter((u) => /node_modules\/(testcontainers|dockerode|docker-modem|ssh2)\//.test(u))).to.deep.equal([]);
  });

  it('takes --otel-endpoint, then OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, then OTEL_EXPORTER_OTLP_ENDPOINT plus /v1/traces', () => {
    expect(otlpTracesUrl('http://c:4318/', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:1' })).to.equal('http://c:4318/v1/traces');
    expect(otlpTracesUrl(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:1' })).to.equal('http://t:1/custom');
    expect(otlpTracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' })).to.equal('http://x:4318/v1/traces');
    expect(otlpTracesUrl(undefined, {})).to.equal(undefined);
  });
});
