// pgdrill's command line: it only wires the commands (cli/commands/, one file each: a library call and its
// output) and turns what ends a command into its exit code (model/exit-codes.ts); the only process.exit is here.
// Each command loads what it uses when it runs (testcontainers, pg, the report templates...), so --help and
// validate start fast.
import '../polyfills.js';
import { Command, CommanderError } from 'commander';
import { EXIT } from '../model/exit-codes.js';
import { PGDRILL_VERSION } from '../version.js';
import { aggregateCommand } from './commands/aggregate.js';
import { checkCommand } from './commands/check.js';
import { cleanupCommand } from './commands/cleanup.js';
import { compareCommand } from './commands/compare.js';
import { discoverCommand } from './commands/discover.js';
import { evidenceCommand } from './commands/evidence.js';
import { initCommand } from './commands/init.js';
import { keygenCommand } from './commands/keygen.js';
import { planCommand } from './commands/plan.js';
import { postgresCommand } from './commands/postgres.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
import { validateCommand } from './commands/validate.js';
import { reportError } from './report-error.js';

function program(): Command {
  const cli = new Command('pgdrill')
    .description('Prove that PostgreSQL backups restore: point-in-time recovery drills with measured RTO and RPO.')
    .version(PGDRILL_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (t) => process.stderr.write(t) });
  const commands = [runCommand(), compareCommand(), keygenCommand(), evidenceCommand(), checkCommand(), discoverCommand(), postgresCommand(), cleanupCommand(), reportCommand(), initCommand(), planCommand(), aggregateCommand(), schemaCommand(), validateCommand()];
  for (const command of commands) cli.addCommand(command);
  // Added commands do not inherit: every command of the tree throws instead of exiting, and writes to stderr.
  const inherit = (c: Command) => {
    c.exitOverride().configureOutput({ writeErr: (t) => process.stderr.write(t) });
    for (const sub of c.commands) inherit(sub);
  };
  inherit(cli);
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.passed;
  } catch (error) {
    // --help and --version exit 0; every usage mistake is bad input.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.passed : EXIT.badInput;
    return reportError(error, (t) => process.stderr.write(t));
  }
}

const code = await main(process.argv);
process.exit(code);
