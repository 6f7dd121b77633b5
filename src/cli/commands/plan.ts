// `pgdrill plan`: which drills run in which shard.
import { Command, Option } from 'commander';
import { UsageError } from '../../errors.js';

export function planCommand(): Command {
  return new Command('plan')
    .description('print which drills run in which shard, for a GitHub Actions matrix or a Kubernetes Indexed Job')
    .argument('<drill...>', 'drill files, or folders of them')
    .requiredOption('--shards <n>', 'number of shards')
    .addOption(new Option('--format <format>', 'output').choices(['github-matrix', 'k8s-indexed-job', 'text']).default('text'))
    .action(async (args: string[], opts: { shards: string; format: 'github-matrix' | 'k8s-indexed-job' | 'text' }) => {
      const [{ expandDrillFiles }, { formatPlan, planShards }] = await Promise.all([import('../../drill/drill-files.js'), import('../../fleet/plan.js')]);
      const n = Number(opts.shards);
      if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--shards ${opts.shards} is not a whole number from 1 to 256`, 'e.g. --shards 4');
      process.stdout.write(`${formatPlan(planShards(expandDrillFiles(args), n), opts.format)}\n`);
    });
}
