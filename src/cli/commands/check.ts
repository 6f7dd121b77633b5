// `pgdrill check`: the backup pipelines of drills of existing backups against their objectives, nothing restored.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { Command, Option } from 'commander';
import { stderr, withSignals, workRoot } from '../common.js';

interface CheckFlags {
  json?: boolean;
  workDir?: string;
  junit?: string;
  slackWebhook?: string;
  reportUrl?: string;
  notify: 'always' | 'failure';
}

export function checkCommand(): Command {
  return new Command('check')
    .description('check the backup pipeline of drills of existing backups against their objectives, without restoring (exit 0 when nothing failed)')
    .argument('<drill...>', 'drill files with source:')
    .option('--json', 'print the findings as JSON on stdout')
    .option('--junit <file>', 'write a JUnit XML report (one test case per finding; failures fail)')
    .option('--slack-webhook <url>', 'post the findings to this Slack incoming webhook (or SLACK_WEBHOOK_URL)')
    .option('--report-url <url>', 'link the Slack message to the details (or PGDRILL_REPORT_URL)')
    .addOption(new Option('--notify <when>', 'when to post to Slack').choices(['always', 'failure']).default('always'))
    .option('--work-dir <dir>', 'parent folder for the tools\' scratch folders (default: the OS temp folder, or PGDRILL_WORK_DIR)')
    .action(check);
}

async function check(files: string[], opts: CheckFlags): Promise<void> {
  const { runChecks } = await import('../../runner/run-checks.js');
  await withSignals(async (signal) => {
    const { drills, exitCode } = await runChecks(files, { signal, workRoot: workRoot(opts.workDir) });
    const mark = { passed: 'ok  ', warning: 'WARN', failed: 'FAIL' } as const;
    for (const d of drills) {
      stderr.write(`check ${d.drill}${d.backup ? ` (newest backup ${d.backup})` : ''}\n`);
      for (const f of d.findings) stderr.write(`  ${mark[f.status]} ${f.check}: ${f.detail}${f.fix ? `\n       fix: ${f.fix}` : ''}\n`);
    }
    const failedCount = drills.flatMap((d) => d.findings).filter((f) => f.status === 'failed').length;
    stderr.write(failedCount ? `${failedCount} check(s) failed\n` : 'every check passed (warnings aside)\n');
    if (opts.json) process.stdout.write(`${JSON.stringify(drills, null, 2)}\n`);
    if (opts.junit) {
      const { buildCheckJunit } = await import('../../report/junit.js');
      writeFileSync(opts.junit, buildCheckJunit(drills));
    }
    const webhookUrl = opts.slackWebhook ?? process.env['SLACK_WEBHOOK_URL'];
    if (webhookUrl) {
      const { notifySlackOfChecks } = await import('../../notify/slack.js');
      const sent = await notifySlackOfChecks(drills, { webhookUrl, reportUrl: opts.reportUrl ?? process.env['PGDRILL_REPORT_URL'], notify: opts.notify, host: os.hostname() });
      if (sent.warning) stderr.write(`warning: ${sent.warning}\n`);
    }
    process.exitCode = exitCode;
  });
}
