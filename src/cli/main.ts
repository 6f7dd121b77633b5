// pgdrill's command line: argv -> library functions; errors -> exit codes (the only process.exit).
import '../polyfills.js';
import { Command, CommanderError, Option } from 'commander';
import path from 'node:path';
import { inspectDrill } from '../drill/loader.js';
import { formatProblem, PgdrillError, UsageError } from '../errors.js';
import { runDrills } from '../runner/run-drills.js';
import { PGDRILL_VERSION } from '../version.js';
import { colorVerdict, progressListener, useColor } from './progress.js';
import { installSignalHandlers } from './signals.js';

const stderr = { write: (t: string) => process.stderr.write(t), isTTY: process.stderr.isTTY };

function program(): Command {
  const cli = new Command('pgdrill')
    .description('Prove that PostgreSQL backups restore: point-in-time recovery drills with measured RTO and RPO.')
    .version(PGDRILL_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (t) => process.stderr.write(t) });

  cli
    .command('run')
    .description('run drills and write result.json, report.html and logs per drill into <out>/<run-id>/')
    .argument('<drill...>', 'drill files (YAML)')
    .option('--out <dir>', 'output folder', 'reports')
    .addOption(new Option('--provider <provider>', 'where Postgres runs (overrides the drill file)').choices(['auto', 'local', 'docker']))
    .option('--json', 'print the run summary as JSON on stdout')
    .option('--work-dir <dir>', 'parent folder for disposable data folders (default: the OS temp folder, or PGDRILL_WORK_DIR)')
    .action(async (files: string[], opts: { out: string; provider?: 'auto' | 'local' | 'docker'; json?: boolean; workDir?: string }) => {
      const controller = new AbortController();
      const uninstall = installSignalHandlers(controller, (t) => process.stderr.write(t));
      const color = useColor(stderr);
      try {
        const workRoot = opts.workDir ?? process.env['PGDRILL_WORK_DIR'];
        const outcome = await runDrills(files, {
          out: opts.out,
          signal: controller.signal,
          ...(opts.provider ? { provider: opts.provider } : {}),
          ...(workRoot ? { workRoot: path.resolve(workRoot) } : {}),
          onDrill: (name, i, total) => {
            stderr.write(`${total > 1 ? `(${i + 1}/${total}) ` : ''}drill ${name}\n`);
            return progressListener(stderr, color);
          },
          onDrillDone: (result, report) => {
            stderr.write(`${colorVerdict(result.verdict, color)}\n`);
            if (result.diagnosis) stderr.write(`${indentLines(result.diagnosis, 20)}\n`);
            stderr.write(`  report: ${path.relative(process.cwd(), report) || report}\n`);
          },
        });
        stderr.write(`summary: ${path.relative(process.cwd(), outcome.summaryFile)}\n`);
        if (opts.json) process.stdout.write(`${JSON.stringify(outcome.summary, null, 2)}\n`);
        process.exitCode = outcome.exitCode;
      } finally {
        uninstall();
      }
    });

  cli
    .command('validate')
    .description('check drill files without running anything (exit 0 when valid, 2 otherwise)')
    .argument('<drill...>', 'drill files (YAML)')
    .action((files: string[]) => {
      const problems = files.flatMap((f) => inspectDrill(f).problems);
      for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
      if (problems.length === 0) process.stderr.write(`${files.length} drill file(s) valid\n`);
      process.exitCode = problems.length === 0 ? 0 : 2;
    });
  return cli;
}

function indentLines(text: string, max: number): string {
  const lines = text.split('\n');
  const shown = lines.slice(0, max).map((l) => `  ${l}`);
  if (lines.length > max) shown.push(`  ... (${lines.length - max} more lines in the report)`);
  return shown.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every usage mistake is exit 2.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof PgdrillError) {
      process.stderr.write(`pgdrill: ${error.message}\n${error.suggestion ? `  fix: ${error.suggestion}\n` : ''}`);
      return error instanceof UsageError ? 2 : error.exitCode;
    }
    process.stderr.write(`pgdrill: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

const code = await main(process.argv);
process.exit(code);
