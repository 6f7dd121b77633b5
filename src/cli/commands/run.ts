// `pgdrill run`: drills into <out>/<run-id>/ (result.json, report.html, logs), the run's outputs (JUnit, metrics,
// Slack, the step summary), the evidence store around it.
import path from 'node:path';
import { Command, Option } from 'commander';
import type { DrillOverrides } from '../../drill/drill.js';
import { UsageError } from '../../errors.js';
import { colorVerdict, progressListener, useColor } from '../progress.js';
import { otlpTracesUrl } from '../../report/otlp-url.js';
import { evidenceStore, indentLines, signerFrom, stderr, withSignals, workRoot } from '../common.js';

interface RunFlags {
  out: string;
  backup?: string;
  provider?: 'auto' | 'local' | 'docker';
  json?: boolean;
  workDir?: string;
  junit?: string;
  metrics?: string;
  pushgateway?: string;
  otelEndpoint?: string;
  slackWebhook?: string;
  reportUrl?: string;
  notify: 'always' | 'failure';
  signingKey?: string;
  concurrency: string;
  store?: string;
  shard?: string;
  sandboxed?: string;
}

export function runCommand(): Command {
  return new Command('run')
    .description('run drills and write result.json, report.html and logs per drill into <out>/<run-id>/')
    .argument('<drill...>', 'drill files (YAML), or folders of them')
    .option('--out <dir>', 'output folder', 'reports')
    .addOption(new Option('--provider <provider>', 'where Postgres runs (overrides the drill file)').choices(['auto', 'local', 'docker']))
    .option('--backup <choice>', 'which backup of a pgBackRest or Barman source: latest, oldest, random (seeded, the seed is printed) or a label (overrides the drill file)')
    .option('--json', 'print the run summary as JSON on stdout')
    .option('--work-dir <dir>', 'parent folder for disposable data folders (default: the OS temp folder, or PGDRILL_WORK_DIR)')
    .option('--junit <file>', 'write a JUnit XML report (one test case per drill and per check)')
    .option('--metrics <file>', 'write Prometheus metrics for node_exporter\'s textfile collector')
    .option('--pushgateway <url>', 'push the same metrics to this Prometheus Pushgateway (job="pgdrill", instance=PGDRILL_INSTANCE or the host name; or PGDRILL_PUSHGATEWAY_URL)')
    .option('--otel-endpoint <url>', 'export one OpenTelemetry trace of the run over OTLP/HTTP to this endpoint (or OTEL_EXPORTER_OTLP_ENDPOINT)')
    .option('--slack-webhook <url>', 'post the verdict to this Slack incoming webhook (or SLACK_WEBHOOK_URL)')
    .option('--report-url <url>', 'link the Slack message to the published report (or PGDRILL_REPORT_URL)')
    .addOption(new Option('--notify <when>', 'when to post to Slack').choices(['always', 'failure']).default('always'))
    .option('--signing-key <file>', 'sign evidence/manifest.json with this Ed25519 private key (or PGDRILL_SIGNING_KEY)')
    .option('--concurrency <n>', 'drills to run at once (distinct ports and folders)', '1')
    .option('--shard <i/N>', 'run only the drills of shard i of N (pgdrill plan prints the assignment; the same drill always lands in the same shard)')
    .option('--store <store>', 'evidence store to pull the history from before the run and push the run to after it (or PGDRILL_EVIDENCE_STORE): a folder, git+<remote>#<branch> or s3://bucket/prefix')
    // The docker provider's pgdrill inside the container: the overrides the drill was validated with outside, and
    // only the drill's own progress lines on stderr (the outer pgdrill prints the rest).
    .addOption(new Option('--sandboxed <overrides>').hideHelp())
    .action(run);
}

async function run(args: string[], opts: RunFlags): Promise<void> {
  const [{ runDrills }, { runOutputs }, { expandDrillFiles }] = await Promise.all([import('../../runner/run-drills.js'), import('../../report/outputs.js'), import('../../drill/drill-files.js')]);
  let files = expandDrillFiles(args);
  let shard: { index: number; of: number } | undefined;
  if (opts.shard) {
    const { drillNames, parseShard, shardOf, writeShardFile } = await import('../../fleet/shard.js');
    shard = parseShard(opts.shard);
    const mine = drillNames(files).filter((d) => shardOf(d.name, (shard as { of: number }).of) === shard?.index);
    files = mine.map((d) => d.file);
    stderr.write(`shard ${shard.index}/${shard.of}: ${files.length} drill(s)\n`);
    // Before any drill: aggregate tells a shard that ran nothing from one that died before writing anything.
    writeShardFile(opts.out, shard, mine.map((d) => d.name));
    if (files.length === 0) return;
  }
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
    throw new UsageError(`--concurrency ${opts.concurrency} is not a whole number from 1 to 16`, 'e.g. --concurrency 2');
  }
  const color = useColor(stderr);
  await withSignals(async (signal) => {
    const webhookUrl = opts.slackWebhook ?? process.env['SLACK_WEBHOOK_URL'];
    const reportUrl = opts.reportUrl ?? process.env['PGDRILL_REPORT_URL'];
    const signer = await signerFrom(opts.signingKey);
    const store = await evidenceStore(opts.store, opts.out, signer);
    await store?.pull();
    const sandboxed = opts.sandboxed ? (JSON.parse(opts.sandboxed) as DrillOverrides) : undefined;
    const root = workRoot(opts.workDir);
    const outcome = await runDrills(files, {
      out: opts.out,
      ...(sandboxed ? { overrides: sandboxed, resultsOnly: true } : {}),
      signal,
      signer,
      concurrency,
      ...(shard ? { shard } : {}),
      outputs: runOutputs({
        junit: opts.junit,
        metrics: opts.metrics,
        pushgateway: opts.pushgateway ?? (process.env['PGDRILL_PUSHGATEWAY_URL'] || undefined),
        otlpTracesUrl: otlpTracesUrl(opts.otelEndpoint),
        stepSummary: process.env['GITHUB_STEP_SUMMARY'] || undefined,
        slack: webhookUrl ? { webhookUrl, reportUrl, notify: opts.notify } : undefined,
      }),
      onWarning: (w) => stderr.write(`warning: ${w}\n`),
      ...(opts.provider ? { provider: opts.provider } : {}),
      ...(opts.backup ? { backup: opts.backup } : {}),
      ...(root ? { workRoot: root } : {}),
      onDrill: (name, i, total) => {
        if (!sandboxed) stderr.write(`${total > 1 ? `(${i + 1}/${total}) ` : ''}drill ${name}\n`);
        return progressListener(stderr, color, concurrency > 1 ? `[${name}]` : '');
      },
      onDrillDone: (result, report) => {
        if (sandboxed) return;
        stderr.write(`${colorVerdict(result.verdict, color)}\n`);
        if (result.diagnosis) stderr.write(`${indentLines(result.diagnosis, 20)}\n`);
        stderr.write(`  report: ${path.relative(process.cwd(), report) || report}\n`);
      },
    });
    if (!sandboxed) stderr.write(`summary: ${path.relative(process.cwd(), outcome.summaryFile)}\n`);
    if (opts.json) process.stdout.write(`${JSON.stringify(outcome.summary, null, 2)}\n`);
    process.exitCode = outcome.exitCode;
    await store?.push();
  });
}
