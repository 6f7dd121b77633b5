// One OpenTelemetry trace per run, exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or --otel-endpoint)
// is set: a root span for the run, a span per drill, a span per phase, built from the timestamps result.json
// records, so tracing adds nothing to the drill itself. Attributes follow the CI/CD semantic conventions
// (cicd.pipeline.*, https://opentelemetry.io/docs/specs/semconv/registry/attributes/cicd/) where they exist and
// pgdrill.* otherwise. The @opentelemetry packages are loaded by this file only, and this file only when an
// endpoint is set (report/outputs.ts imports it dynamically).
import { context, trace, SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { TracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { DrillResult } from '../model/result-schema.js';
import { PGDRILL_VERSION } from '../version.js';

// Incubating CI/CD conventions, copied as the OpenTelemetry guidance asks (they may still change).
const CICD = {
  pipelineName: 'cicd.pipeline.name',
  pipelineRunId: 'cicd.pipeline.run.id',
  pipelineResult: 'cicd.pipeline.result',
  pipelineRunUrl: 'cicd.pipeline.run.url.full',
  taskName: 'cicd.pipeline.task.name',
  taskRunId: 'cicd.pipeline.task.run.id',
  taskRunResult: 'cicd.pipeline.task.run.result',
  taskType: 'cicd.pipeline.task.type',
} as const;

/** cicd.pipeline.result / cicd.pipeline.task.run.result values. */
const RESULT: Record<DrillResult['status'], string> = { passed: 'success', failed: 'failure', unverified: 'skip', error: 'error' };

const codes = (r: DrillResult) => [...new Set(r.checks.filter((c) => c.status !== 'passed').map((c) => c.code ?? 'check-failed'))];

function drillAttributes(r: DrillResult): Attributes {
  const a: Attributes = {
    [CICD.taskName]: r.drill.name,
    [CICD.taskRunId]: `${r.runId}/${r.drill.name}`,
    [CICD.taskRunResult]: RESULT[r.status],
    [CICD.taskType]: 'test',
    'pgdrill.drill.file': r.drill.file,
    'pgdrill.drill.verdict': r.status,
    'pgdrill.exit_code': r.exitCode ?? -1,
    'pgdrill.objective.rto_seconds': r.objectives.rtoSeconds,
    'pgdrill.objective.rpo_seconds': r.objectives.rpoSeconds,
    'pgdrill.backup.method': r.environment.backupMethod,
    'pgdrill.provider': r.environment.provider,
    'db.system.name': 'postgresql',
    'db.server.version': r.environment.postgresVersion,
    'pgdrill.finding.codes': codes(r),
  };
  if (r.measured.rtoSeconds !== null) a['pgdrill.rto_seconds'] = r.measured.rtoSeconds;
  if (r.measured.rpoSeconds !== null) a['pgdrill.rpo_seconds'] = r.measured.rpoSeconds;
  if (r.source) a['pgdrill.backup.label'] = r.source.label;
  if (r.backup?.startLsn) a['pgdrill.backup.start_lsn'] = r.backup.startLsn;
  if (r.backup?.endLsn) a['pgdrill.backup.end_lsn'] = r.backup.endLsn;
  if (r.recovery.timeline !== null) a['pgdrill.recovery.timeline'] = r.recovery.timeline;
  a['pgdrill.recovery.target'] = r.recovery.target;
  a['pgdrill.recovery.reached'] = r.recovery.reached;
  return a;
}

function runUrl(): string | undefined {
  const e = process.env;
  return e['GITHUB_SERVER_URL'] && e['GITHUB_REPOSITORY'] && e['GITHUB_RUN_ID'] ? `${e['GITHUB_SERVER_URL']}/${e['GITHUB_REPOSITORY']}/actions/runs/${e['GITHUB_RUN_ID']}` : undefined;
}

function worst(results: readonly DrillResult[]): DrillResult['status'] {
  for (const s of ['error', 'failed', 'unverified'] as const) if (results.some((r) => r.status === s)) return s;
  return 'passed';
}

/** Exports the run's trace and waits until the exporter has sent it (or failed: the error says why). */
export async function exportRunTrace(url: string, run: { runId: string; results: readonly DrillResult[]; endedAt: Date }): Promise<void> {
  const exporter = new OTLPTraceExporter({ url, timeoutMillis: 10_000 });
  let failure: Error | undefined;
  const processor = new BatchSpanProcessor({
    exporter: {
      export: (spans, done) =>
        exporter.export(spans, (r) => {
          if (r.error) failure = r.error;
          done(r);
        }),
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush(),
    },
  });
  const provider = new TracerProvider({ resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'pgdrill', [ATTR_SERVICE_VERSION]: PGDRILL_VERSION }), spanProcessors: [processor] });
  const tracer = provider.getTracer('pgdrill', PGDRILL_VERSION);
  const starts = run.results.map((r) => Date.parse(r.startedAt));
  const status = worst(run.results);
  const root = tracer.startSpan(
    'pgdrill run',
    { kind: SpanKind.INTERNAL, startTime: new Date(Math.min(...starts, run.endedAt.getTime())), attributes: { [CICD.pipelineName]: 'pgdrill', [CICD.pipelineRunId]: run.runId, [CICD.pipelineResult]: RESULT[status], 'pgdrill.drills': run.results.length, ...(runUrl() ? { [CICD.pipelineRunUrl]: runUrl() } : {}) } },
  );
  const inRoot = trace.setSpan(context.active(), root);
  for (const r of run.results) {
    const span = tracer.startSpan(`drill ${r.drill.name}`, { startTime: new Date(r.startedAt), attributes: drillAttributes(r) }, inRoot);
    const inDrill = trace.setSpan(inRoot, span);
    for (const p of r.phases) {
      const ps = tracer.startSpan(p.name, { startTime: new Date(p.startedAt), attributes: { 'pgdrill.phase.name': p.name, 'pgdrill.phase.in_rto': p.inRto, 'pgdrill.phase.seconds': p.seconds } }, inDrill);
      if (p.status === 'failed') ps.setStatus({ code: SpanStatusCode.ERROR, message: `${p.name} failed` });
      ps.end(new Date(p.endedAt));
    }
    if (r.status !== 'passed') span.setStatus({ code: SpanStatusCode.ERROR, message: r.verdict });
    span.end(new Date(r.endedAt));
  }
  if (status !== 'passed') root.setStatus({ code: SpanStatusCode.ERROR, message: `${run.results.filter((r) => r.status !== 'passed').length} drill(s) did not pass` });
  root.end(run.endedAt);
  await provider.forceFlush();
  await provider.shutdown();
  if (failure) throw new Error(`the trace was not exported to ${new URL(url).origin}: ${failure.message}`);
}
