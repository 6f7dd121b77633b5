// `pgdrill init`: a starter drill, its fixture and a weekly workflow in a repository.
import path from 'node:path';
import { Command } from 'commander';
import { stderr } from '../common.js';

export function initCommand(): Command {
  return new Command('init')
    .description('write a starter drill, its fixture and a weekly GitHub Actions workflow into a repository')
    .option('--dir <dir>', 'repository folder', '.')
    .option('--force', 'overwrite files that exist')
    .action(async (opts: { dir: string; force?: boolean }) => {
      const { initProject } = await import('../init.js');
      const written = initProject(opts.dir, { force: Boolean(opts.force) });
      for (const f of written) stderr.write(`wrote ${path.relative(process.cwd(), f) || f}\n`);
      stderr.write('next: npx pgdrill run drills/starter.yaml, then commit the files and add the SLACK_WEBHOOK_URL secret\n');
    });
}
