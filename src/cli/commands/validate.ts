// `pgdrill validate`: drill files checked exactly as `run` would check them, nothing started.
import { Command } from 'commander';
import { stderr } from '../common.js';

export function validateCommand(): Command {
  return new Command('validate')
    .description('check drill files without running anything (exit 0 when valid, 2 otherwise)')
    .argument('<drill...>', 'drill files (YAML), or folders of them')
    .action(async (args: string[]) => {
      const { validateDrills } = await import('../validate.js');
      process.exitCode = validateDrills(args, stderr.write);
    });
}
