// The outputs pgdrill ships, behind the output port (model/run-output.ts): the history page, JUnit, Prometheus
// metrics, GitHub's step summary and Slack. The CLI picks them from its options.
import os from 'node:os';
import type { RunOutput } from '../model/run-output.js';
import type { SlackOptions } from '../notify/slack.js';
import { buildMetrics, writeMetrics } from './metrics.js';
import { pushMetrics, safeUrl } from './pushgateway.js';
import { appendStepSummary } from './step-summary.js';

export function historyPage(): RunOutput {
  return {
    name: 'index.html',
    publish: async ({ outDir }) => {
      (await import('./index-page.js')).writeIndex(outDir);
      return [];
    },
  };
}

export function junitReport(file: string): RunOutput {
  // junit-report-builder (and @slack/webhook below) load only when the run asks for them: a fifth of a start-up.
  return {
    name: `JUnit report ${file}`,
    publish: async ({ results }) => {
      const { writeJunit } = await import('./junit.js');
      writeJunit(file, results);
      return [];
    },
  };
}

export function prometheusMetrics(file: string): RunOutput {
  return { name: `metrics ${file}`, publish: ({ results, outDir }) => (writeMetrics(file, results, outDir), []) };
}

export function pushgateway(url: string): RunOutput {
  return {
    name: `Pushgateway ${safeUrl(url)}`,
    secrets: [url],
    publish: async ({ results, outDir }) => {
      if (results.length === 0) return [];
      try {
        await pushMetrics({ url }, buildMetrics(results, { outDir }));
        return [];
      } catch (error) {
        return [`metrics not pushed: ${(error as Error).message}`];
      }
    },
  };
}

export function githubStepSummary(file: string): RunOutput {
  return { name: 'GitHub step summary', publish: ({ results, runId }) => (appendStepSummary(file, results, runId), []) };
}

export function slackNotification(opts: Omit<SlackOptions, 'runId' | 'host'>): RunOutput {
  return {
    name: 'Slack notification',
    secrets: [opts.webhookUrl],
    publish: async ({ results, runId }) => {
      if (results.length === 0) return [];
      const { notifySlack } = await import('../notify/slack.js');
      const outcome = await notifySlack(results, { ...opts, runId, host: os.hostname() });
      return outcome.warning ? [outcome.warning] : [];
    },
  };
}

/** One OpenTelemetry trace of the run; the @opentelemetry packages load only here, only when asked. */
export function openTelemetryTrace(url: string): RunOutput {
  return {
    name: 'OpenTelemetry trace',
    publish: async ({ results, runId }) => {
      if (results.length === 0) return [];
      const { exportRunTrace } = await import('./tracing.js');
      try {
        await exportRunTrace(url, { runId, results, endedAt: new Date() });
        return [];
      } catch (error) {
        return [(error as Error).message];
      }
    },
  };
}

/** What `pgdrill run` publishes, from its options: the history page always, the others when asked. */
export function runOutputs(o: { junit?: string | undefined; metrics?: string | undefined; pushgateway?: string | undefined; otlpTracesUrl?: string | undefined; stepSummary?: string | undefined; slack?: Omit<SlackOptions, 'runId' | 'host'> | undefined }): RunOutput[] {
  return [
    historyPage(),
    ...(o.junit ? [junitReport(o.junit)] : []),
    ...(o.metrics ? [prometheusMetrics(o.metrics)] : []),
    ...(o.pushgateway ? [pushgateway(o.pushgateway)] : []),
    ...(o.otlpTracesUrl ? [openTelemetryTrace(o.otlpTracesUrl)] : []),
    ...(o.stepSummary ? [githubStepSummary(o.stepSummary)] : []),
    ...(o.slack ? [slackNotification(o.slack)] : []),
  ];
}
