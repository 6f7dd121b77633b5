// Slack notifications against a local HTTP server standing in for the webhook: retries with backoff on 429 and
// 5xx, a final failure as a warning without the URL, --notify failure, and the message content.
import { expect } from 'chai';
import type { DrillResult } from '../model/result-schema.js';
import { fakeSlack } from '../test-support/fake-slack.js';
import { sampleResult } from '../test-support/sample-result.js';
import { notifySlack } from './slack.js';
import { slackMessage } from './slack-message.js';

const result = (name: string, status: DrillResult['status'], diagnosis?: string) => sampleResult(name, status, diagnosis);

describe('Slack notifications (local stand-in for the webhook)', () => {
  const base = { runId: 'r1', host: 'ci-runner', notify: 'always' as const, backoffMs: 10 };

  it('retries on 5xx and 429 with backoff, then succeeds', async () => {
    const slack = await fakeSlack([{ status: 503 }, { status: 429, retryAfter: '0' }, { status: 200 }]);
    try {
      const outcome = await notifySlack([result('a', 'passed')], { ...base, webhookUrl: slack.url });
      expect(outcome).to.deep.include({ sent: true, attempts: 3 });
      expect(slack.requests).to.have.length(3);
      expect(slack.requests[0]?.path).to.equal('/services/T0TEST/B0TEST/secretWebhookToken42');
    } finally {
      await slack.close();
    }
  });

  it('gives up after the last attempt with a warning that does not contain the webhook URL', async () => {
    const slack = await fakeSlack([{ status: 500 }]);
    try {
      const outcome = await notifySlack([result('a', 'failed', 'boom')], { ...base, webhookUrl: slack.url, attempts: 3 });
      expect(outcome.sent).to.equal(false);
      expect(slack.requests).to.have.length(3);
      expect(outcome.warning).to.equal('Slack notification failed after 3 attempt(s): HTTP 500');
    } finally {
      await slack.close();
    }
  });

  it('does not retry a 4xx other than 429', async () => {
    const slack = await fakeSlack([{ status: 404 }]);
    try {
      const outcome = await notifySlack([result('a', 'passed')], { ...base, webhookUrl: slack.url });
      expect(outcome).to.deep.include({ sent: false, attempts: 1 });
    } finally {
      await slack.close();
    }
  });

  it('reports an unreachable webhook as a warning with the URL redacted', async () => {
    const slack = await fakeSlack();
    await slack.close();
    const outcome = await notifySlack([result('a', 'passed')], { ...base, webhookUrl: slack.url, attempts: 2 });
    expect(outcome.sent).to.equal(false);
    expect(outcome.warning).to.match(/^Slack notification failed after 2 attempt\(s\)/);
    expect(outcome.warning).not.to.contain('secretWebhookToken42');
  });

  it('--notify failure stays silent when everything passed, and posts when something failed', async () => {
    const slack = await fakeSlack();
    try {
      const quiet = await notifySlack([result('a', 'passed')], { ...base, notify: 'failure', webhookUrl: slack.url });
      expect(quiet.sent).to.equal(false);
      expect(slack.requests).to.have.length(0);
      const loud = await notifySlack([result('a', 'passed'), result('b', 'error', 'no binaries')], { ...base, notify: 'failure', webhookUrl: slack.url });
      expect(loud.sent).to.equal(true);
      expect(slack.requests).to.have.length(1);
    } finally {
      await slack.close();
    }
  });

  it('escapes user text in mrkdwn and keeps sections under Slack limits', () => {
    const msg = slackMessage([result('<script>&', 'failed', 'x'.repeat(5000))], { runId: 'r1', host: 'h', reportUrl: undefined });
    const section = msg.blocks.find((b) => b.type === 'section') as { text: { text: string } };
    expect(section.text.text).to.contain('*&lt;script&gt;&amp;*');
    expect(section.text.text.length).to.be.below(3000);
    expect(msg.blocks.some((b) => b.type === 'actions')).to.equal(false);
  });
});
