// The Slack message of `pgdrill check`: the verdict first, then per drill what failed or warns and what to
// change, the way `barman check` reads. Passed findings are counted, not listed. Short lines, Block Kit limits kept.
import type { KnownBlock } from '@slack/types';
import type { DrillChecks } from '../pipeline/finding.js';
import { slackEscape } from './slack-message.js';

const MAX_TEXT = 2900;
const MAX_BLOCKS = 45; // Slack accepts 50 blocks per message

export function checkMessage(drills: readonly DrillChecks[], opts: { reportUrl?: string | undefined; host: string }): { text: string; blocks: KnownBlock[] } {
  const all = drills.flatMap((d) => d.findings);
  const failed = all.filter((f) => f.status === 'failed').length;
  const warned = all.filter((f) => f.status === 'warning').length;
  const headline = failed === 0 ? `pgdrill check: ${drills.length} pipeline(s) healthy${warned ? ` (${warned} warning(s))` : ''}` : `pgdrill check: ${failed} check(s) FAILED in ${drills.length} pipeline(s)`;
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: `${failed === 0 ? '✅' : '🚨'} ${headline}`.slice(0, 150) } }];
  for (const d of drills) {
    const passed = d.findings.filter((f) => f.status === 'passed').length;
    const lines = [`*${slackEscape(d.drill)}*${d.backup ? ` (newest backup ${slackEscape(d.backup)})` : ''}: ${passed} of ${d.findings.length} passed`];
    for (const f of d.findings.filter((x) => x.status !== 'passed')) {
      lines.push(`${f.status === 'failed' ? '❌' : '⚠️'} *${slackEscape(f.check)}*: ${slackEscape(f.detail)}${f.fix ? `\n    fix: ${slackEscape(f.fix)}` : ''}`);
    }
    const text = lines.join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text } });
    if (blocks.length >= MAX_BLOCKS) break;
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${opts.reportUrl ? `<${opts.reportUrl}|details> · ` : ''}checked on ${slackEscape(opts.host)}` }] });
  return { text: headline, blocks };
}
