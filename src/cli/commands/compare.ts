// `pgdrill compare`: the same drill once per backup method, and one table of what each measured.
import path from 'node:path';
import { Command, Option } from 'commander';
import { colorVerdict, progressListener, useColor } from '../progress.js';
import { indentLines, signerFrom, stderr, withSignals, workRoot } from '../common.js';

export function compareCommand(): Command {
  return new Command('compare')
    .description('run the same drill once per backup method and write comparison.html, comparison.json and comparison.md')
    .argument('<drill>', 'drill file (YAML)')
    .requiredOption('--methods <list>', 'comma-separated backup methods, e.g. pg_basebackup,pgbackrest (an unknown name is refused with the list of them)')
    .option('--out <dir>', 'output folder', 'reports')
    .addOption(new Option('--provider <provider>', 'where Postgres runs').choices(['auto', 'local', 'docker']))
    .option('--work-dir <dir>', 'parent folder for disposable data folders')
    .option('--signing-key <file>', 'sign evidence/manifest.json with this Ed25519 private key (or PGDRILL_SIGNING_KEY)')
    .action(async (file: string, opts: { methods: string; out: string; provider?: 'auto' | 'local' | 'docker'; workDir?: string; signingKey?: string }) => {
      const [{ compareMethods, parseMethods }, { comparisonMarkdown }] = await Promise.all([import('../../compare/compare-methods.js'), import('../../compare/comparison-report.js')]);
      const methods = parseMethods(opts.methods);
      const signer = await signerFrom(opts.signingKey);
      const color = useColor(stderr);
      const root = workRoot(opts.workDir);
      await withSignals(async (signal) => {
        const outcome = await compareMethods(file, methods, {
          out: opts.out,
          signal,
          signer,
          ...(opts.provider ? { provider: opts.provider } : {}),
          ...(root ? { workRoot: root } : {}),
          onMethod: (method, i, n) => {
            stderr.write(`(${i + 1}/${n}) method ${method}\n`);
            return progressListener(stderr, color);
          },
          onDone: (row) => stderr.write(`${colorVerdict(row.verdict, color)}\n`),
          onDiagnosis: (text) => stderr.write(`${indentLines(text, 8)}\n`),
        });
        stderr.write(`\n${comparisonMarkdown(outcome.comparison)}\ncomparison: ${path.relative(process.cwd(), outcome.files.html)}\n`);
        process.exitCode = outcome.exitCode;
      });
    });
}
