// The Slack message of a run, in Block Kit: verdict first, then per drill RTO/RPO against the objectives, what
// failed and why, and a link to the report. Short lines, readable on a phone.
import type { KnownBlock } from '@slack/types';
import { formatSeconds } from '../model/format.js';
import { objectiveMet } from '../model/judge.js';
import type { DrillResult } from '../model/result-schema.js';

const MAX_TEXT = 2900; // section text limit is 3000 characters

function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Slack mrkdwn needs &, < and > escaped in user text. */
/** A drill's status as Slack shows it: unverified in yellow, never read as passed. */
const STATUS_MARK: Record<string, string> = { passed: '✅ PASSED', failed: '❌ FAILED', unverified: '🟡 UNVERIFIED', error: '⚠️ ERROR' };

export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackMessage(results: DrillResult[], opts: { runId: string; reportUrl?: string | undefined; host: string }): { text: string; blocks: KnownBlock[] } {
  const failed = results.filter((r) => r.status !== 'passed');
  const headline =
    failed.length === 0
      ? `pgdrill: all ${results.length} drill(s) passed`
      : `pgdrill: ${failed.length} of ${results.length} drill(s) FAILED`;
  const fmt = (v: number | null) => (v === null ? 'n/a' : formatSeconds(v));
  const mark = (ok: boolean | null) => (ok === null ? '(does not apply)' : ok ? '✅' : '❌');
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: clip(`${failed.length === 0 ? '✅' : '🚨'} ${headline}`, 150) } }];
  for (const r of results) {
    const rtoOk = objectiveMet(r, 'rto');
    const rpoOk = objectiveMet(r, 'rpo');
    const lines = [
      `*${slackEscape(r.drill.name)}*: ${STATUS_MARK[r.status]}`,
      `RTO ${rtoOk === true || r.measured.rtoSeconds === null ? fmt(r.measured.rtoSeconds) : `not met (${fmt(r.measured.rtoSeconds)} spent)`} (objective ${formatSeconds(r.objectives.rtoSeconds)}) ${mark(rtoOk)}`,
      `RPO ${fmt(r.measured.rpoSeconds)} (objective ${formatSeconds(r.objectives.rpoSeconds)}) ${mark(rpoOk)}`,
    ];
    if (r.expectation.expect === 'detected') lines.push(`Expected detection: ${r.expectation.met ? 'detected' : '*not detected*'}`);
    if (r.status !== 'passed' && r.diagnosis) lines.push(`> ${slackEscape(r.diagnosis.split('\n').slice(0, 3).join(' ')).slice(0, 600)}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n')) } });
  }
  if (opts.reportUrl) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the report' }, url: opts.reportUrl }] });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(`run ${slackEscape(opts.runId)} on ${slackEscape(opts.host)}`, 300) }] });
  return { text: headline, blocks };
}
