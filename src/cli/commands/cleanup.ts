// `pgdrill cleanup`: what killed runs left behind, never what belongs to a run still alive.
import { Command } from 'commander';
import { stderr, workRootOrTemp } from '../common.js';

export function cleanupCommand(): Command {
  return new Command('cleanup')
    .description('remove what killed runs left: their servers and children, containers and work folders (never those of a run still alive)')
    .option('--work-dir <dir>', 'parent folder of the work folders (default: the OS temp folder, or PGDRILL_WORK_DIR)')
    .action(async (opts: { workDir?: string }) => {
      const [{ sweepOrphans }, { cleanupEngine }] = await Promise.all([import('../../runner/session/work-folders.js'), import('../../providers/docker/engine.js')]);
      const swept = sweepOrphans([workRootOrTemp(opts.workDir)]);
      const engine = await cleanupEngine();
      for (const f of swept.folders) stderr.write(`removed ${f}\n`);
      if (swept.processes.length) stderr.write(`killed ${swept.processes.length} process(es): ${swept.processes.join(' ')}\n`);
      for (const e of engine.removed) stderr.write(`removed ${e}\n`);
      const alive = swept.alive.length + engine.alive.length;
      if (alive) stderr.write(`left ${swept.alive.length} work folder(s) and ${engine.alive.length} container(s), network(s) or volume(s) of runs that are still alive\n`);
      if (!swept.folders.length && !engine.removed.length) stderr.write('nothing left behind by a killed run\n');
    });
}
