// `pgdrill report`: the history page of an output folder, rebuilt from its result.json files.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { stderr } from '../common.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('rebuild <out>/index.html (history of every run, trends against the objectives) from the result.json files')
    .option('--out <dir>', 'output folder', 'reports')
    .action(async (opts: { out: string }) => {
      const { renderIndex, writeIndex } = await import('../../report/index-page.js');
      if (!existsSync(opts.out)) throw new UsageError(`output folder ${opts.out} does not exist`, 'give the folder drills were run into with --out');
      const { runs, results, skipped } = renderIndex(opts.out);
      const file = writeIndex(opts.out);
      for (const s of skipped) stderr.write(`warning: ${s} is not a valid result.json; left out\n`);
      stderr.write(`${results} result(s) from ${runs} run(s): ${path.relative(process.cwd(), file) || file}\n`);
    });
}
