// After the drills of a run: rebuild the history page, then JUnit, Prometheus metrics, GitHub's step summary
// and Slack. Each output that fails becomes a warning; none of them can change a verdict or lose a report.
import os from 'node:os';
import { writeIndex } from '../report/index-page.js';
import { writeJunit } from '../report/junit.js';
import { writeMetrics } from '../report/metrics.js';
import type { DrillResult } from '../report/result-schema.js';
import { appendStepSummary } from '../report/step-summary.js';
import { notifySlack } from '../notify/slack.js';
import { Redactor } from '../exec/redactor.js';

export interface RunOutputs {
  junit?: string | undefined;
  metrics?: string | undefined;
  /** $GITHUB_STEP_SUMMARY */
  stepSummary?: string | undefined;
  slack?: { webhookUrl: string; reportUrl?: string | undefined; notify: 'always' | 'failure'; attempts?: number; backoffMs?: number } | undefined;
}

export async function publishRun(results: DrillResult[], opts: RunOutputs & { runId: string; outDir: string }): Promise<string[]> {
  const warnings: string[] = [];
  const redactor = new Redactor();
  redactor.add(opts.slack?.webhookUrl);
  const attempt = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      warnings.push(redactor.redact(`could not write ${what}: ${(error as Error).message}`));
    }
  };
  attempt('index.html', () => writeIndex(opts.outDir));
  if (opts.junit) attempt(`JUnit report ${opts.junit}`, () => writeJunit(opts.junit as string, results));
  if (opts.metrics) attempt(`metrics ${opts.metrics}`, () => writeMetrics(opts.metrics as string, results));
  if (opts.stepSummary) attempt('GitHub step summary', () => appendStepSummary(opts.stepSummary as string, results, opts.runId));
  if (opts.slack && results.length > 0) {
    const outcome = await notifySlack(results, { ...opts.slack, runId: opts.runId, host: os.hostname() }).catch((error: unknown) => ({
      sent: false,
      attempts: 0,
      warning: redactor.redact(`Slack notification failed: ${(error as Error).message}`),
    }));
    if (outcome.warning) warnings.push(outcome.warning);
  }
  return warnings;
}
