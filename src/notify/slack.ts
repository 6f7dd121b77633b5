// Posts the run's message to a Slack incoming webhook (@slack/webhook), retrying with backoff on 429 (honouring
// Retry-After) and 5xx. A notification that finally fails is a warning: it never loses the report nor changes
// the verdict. The webhook URL is a secret: it never appears in any message pgdrill writes.
import { IncomingWebhook, type IncomingWebhookSendArguments } from '@slack/webhook';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redactor } from '../exec/redactor.js';
import type { DrillResult } from '../model/result-schema.js';
import { slackMessage } from './slack-message.js';
import { checkMessage } from './check-message.js';
import type { DrillChecks } from '../pipeline/finding.js';

export interface SlackOptions {
  webhookUrl: string;
  reportUrl?: string | undefined;
  notify: 'always' | 'failure';
  runId: string;
  host: string;
  /** Attempts in all (default 5) and the first backoff (default 1s, doubling). */
  attempts?: number;
  backoffMs?: number;
}

export interface SlackOutcome {
  sent: boolean;
  skipped?: string;
  attempts: number;
  warning?: string;
}

export async function notifySlack(results: DrillResult[], opts: SlackOptions): Promise<SlackOutcome> {
  if (opts.notify === 'failure' && results.every((r) => r.status === 'passed')) {
    return { sent: false, skipped: 'every drill passed and --notify failure was given', attempts: 0 };
  }
  return postToSlack(slackMessage(results, opts), opts);
}

/** `pgdrill check`: the findings that failed (and warnings), per drill, with what to change. */
export async function notifySlackOfChecks(drills: readonly DrillChecks[], opts: Omit<SlackOptions, 'runId'>): Promise<SlackOutcome> {
  if (opts.notify === 'failure' && drills.every((d) => d.findings.every((f) => f.status !== 'failed'))) {
    return { sent: false, skipped: 'nothing failed and --notify failure was given', attempts: 0 };
  }
  return postToSlack(checkMessage(drills, opts), opts);
}

/** Sends one message, retrying 429 (after Retry-After) and 5xx with backoff; the webhook URL never in a warning. */
async function postToSlack(message: IncomingWebhookSendArguments, opts: Pick<SlackOptions, 'webhookUrl' | 'attempts' | 'backoffMs'>): Promise<SlackOutcome> {
  const redactor = new Redactor();
  redactor.add(opts.webhookUrl);
  let retryAfterMs: number | undefined;
  const webhook = new IncomingWebhook(opts.webhookUrl, {
    timeout: 10_000,
    fetch: async (url, init) => {
      const response = await fetch(url, init as RequestInit);
      const header = response.headers.get('retry-after');
      retryAfterMs = header && /^\d+(\.\d+)?$/.test(header) ? Math.min(Number(header) * 1000, 30_000) : undefined;
      return response;
    },
  });
  const attempts = opts.attempts ?? 5;
  let delay = opts.backoffMs ?? 1000;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await webhook.send(message);
      return { sent: true, attempts: attempt };
    } catch (error) {
      const e = error as { statusCode?: number; message?: string };
      last = e.statusCode ? `HTTP ${e.statusCode}` : (e.message ?? String(error));
      const retryable = e.statusCode === undefined || e.statusCode === 429 || e.statusCode >= 500;
      if (!retryable || attempt === attempts) {
        return { sent: false, attempts: attempt, warning: redactor.redact(`Slack notification failed after ${attempt} attempt(s): ${last}`) };
      }
      await sleep(retryAfterMs ?? delay);
      delay *= 2;
    }
  }
  return { sent: false, attempts, warning: redactor.redact(`Slack notification failed: ${last}`) };
}
