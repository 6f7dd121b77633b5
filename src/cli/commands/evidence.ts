// `pgdrill evidence verify | pull | push | export | report`: tamper-evident drill records, and the auditor's report.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { findingsExit } from '../../model/exit-codes.js';
import { signerFrom, stderr } from '../common.js';

export function evidenceCommand(): Command {
  const evidence = new Command('evidence').description('verify and export tamper-evident drill records');
  evidence
    .command('verify')
    .description('check every file hash, the hash chain between runs and the signatures (exit 0 only when all hold)')
    .argument('[folder]', 'a run folder or an output folder of runs')
    .option('--store <store>', 'verify an evidence store instead (every run, the chain and the signed head)')
    .option('--last-seen <file>', 'the highest head seen before (kept between runs, e.g. in the CI cache): an older head is a rollback; rewritten when everything holds')
    .option('--expect-at-least <n>', 'the head must be at least this sequence number (a rollback below it fails)')
    .option('--public-key <file>', 'the public key the runs must be signed with (without it, origin is not proven)')
    .action(verify);
  evidence
    .command('pull')
    .description('bring the runs of an evidence store into an output folder (results, reports, manifests: what the history page and the chain need; logs stay in the store)')
    .argument('<store>', 'a folder, git+<remote>#<branch> (token in PGDRILL_GIT_TOKEN) or s3://bucket/prefix?endpoint=...&region=... (AWS_* keys)')
    .option('--out <dir>', 'output folder', 'reports')
    .action(async (store: string, opts: { out: string }) => {
      const p = await (await import('../../evidence/store/store-commands.js')).pullFromStore(store, opts.out);
      stderr.write(`${p.runs.length} run(s) pulled from ${p.store} into ${opts.out} (${p.files} files); newest ${p.head?.runId ?? 'none'}\n`);
    });
  evidence
    .command('push')
    .description('add the runs of an output folder that the store does not hold yet (never rewriting one) and sign the new head')
    .argument('<store>', 'a folder, git+<remote>#<branch> or s3://bucket/prefix (see pull)')
    .option('--out <dir>', 'output folder', 'reports')
    .option('--signing-key <file>', 'sign the head with this Ed25519 private key (or PGDRILL_SIGNING_KEY)')
    .action(async (store: string, opts: { out: string; signingKey?: string }) => {
      const p = await (await import('../../evidence/store/store-commands.js')).pushToStore(store, opts.out, await signerFrom(opts.signingKey));
      stderr.write(`${p.pushed.length} run(s) pushed to ${p.store}${p.pushed.length ? `: ${p.pushed.join(', ')}` : ''}; head ${p.head?.runId ?? 'none'}\n`);
    });
  evidence
    .command('export')
    .description('pack the runs of a period into one .tar.gz with an index.html summary for an auditor')
    .argument('<out>', 'output folder of runs')
    .requiredOption('--since <date>', 'first day (UTC), e.g. 2026-01-01')
    .option('--until <date>', 'last day (UTC, the whole day) or moment (default now)')
    .requiredOption('--to <file>', 'archive to write, e.g. evidence-2026Q1.tar.gz')
    .action(async (out: string, opts: { since: string; until?: string; to: string }) => {
      const { exportEvidence, parseDay } = await import('../../evidence/export-evidence.js');
      const e = await exportEvidence(out, { since: parseDay(opts.since, '--since'), until: opts.until ? parseDay(opts.until, '--until', true) : undefined, to: opts.to });
      stderr.write(`${e.runs.length} run(s) exported to ${e.file}\n`);
    });
  evidence
    .command('prune')
    .description('remove runs older than --keep from an output folder or a store (never the newest), recording each with its manifest\'s hash in a signed pgdrill-pruned.json so verification still holds')
    .argument('<where>', 'an output folder, or a store (a folder, git+<remote>#<branch>, s3://bucket/prefix)')
    .requiredOption('--keep <duration>', 'keep runs that started within this long, e.g. 400d')
    .option('--signing-key <file>', 'sign the record and the new head (or PGDRILL_SIGNING_KEY): required when the head is signed')
    .action(async (where: string, opts: { keep: string; signingKey?: string }) => {
      const [{ openBlobs }, { prune, keepMs }, { parseDuration }] = await Promise.all([import('../../evidence/store/open-blobs.js'), import('../../evidence/store/prune.js'), import('../../drill/duration.js')]);
      const now = new Date(); // the window is measured from when the command was given
      const keep = keepMs(opts.keep, parseDuration);
      const signer = await signerFrom(opts.signingKey);
      const blobs = await openBlobs(where);
      try {
        const p = await prune(blobs, { keepMs: keep, signer, now });
        // An output folder's history page lists what is left.
        if (p.pruned.length && existsSync(path.join(where, 'index.html'))) (await import('../../report/index-page.js')).writeIndex(where);
        stderr.write(`${p.pruned.length} run(s) pruned from ${blobs.describe}${p.pruned.length ? `: ${p.pruned.join(', ')}` : ''}; ${p.kept} kept${p.pruned.length ? '; recorded in pgdrill-pruned.json' : ''}\n`);
      } finally {
        await blobs.close();
      }
    });
  evidence
    .command('report')
    .description("an auditor's report of a period: per drill every run (who, trigger, backup, drill hash, verdict, RTO/RPO), its last verified date and the gaps longer than its validateEvery, as HTML and CSV")
    .argument('<folder>', 'output folder of runs (pgdrill evidence pull <store> --out <folder> first for a store)')
    .requiredOption('--from <date>', 'first day (UTC), e.g. 2026-07-01')
    .requiredOption('--until <date>', 'last day (UTC, the whole day) or moment, e.g. 2026-09-30')
    .option('--drill <names...>', 'only these drills (a drill named that never ran is listed as never verified)')
    .option('--every <duration>', 'flag gaps longer than this for every drill (default: each drill\'s objectives.validateEvery)')
    .option('--public-key <file>', 'the key the runs must be signed with (the report says whether they are)')
    .option('--to <dir>', 'where restore-tests.html and restore-tests.csv go', '.')
    .action(report);
  return evidence;
}

async function verify(folder: string | undefined, opts: { publicKey?: string; store?: string; lastSeen?: string; expectAtLeast?: string }): Promise<void> {
  if (!folder && !opts.store) throw new UsageError('name an output folder or --store <store>', 'e.g. pgdrill evidence verify reports --public-key pgdrill.pub');
  if (opts.publicKey && !existsSync(opts.publicKey)) throw new UsageError(`public key ${opts.publicKey} not found`);
  const atLeast = opts.expectAtLeast === undefined ? undefined : Number(opts.expectAtLeast);
  if (atLeast !== undefined && (!Number.isInteger(atLeast) || atLeast < 0)) throw new UsageError(`--expect-at-least ${opts.expectAtLeast} is not a whole number`, 'the head sequence you saw last, e.g. --expect-at-least 52');
  const publicKeyPem = opts.publicKey ? readFileSync(opts.publicKey, 'utf8') : undefined;
  const check = { publicKeyPem, lastSeenFile: opts.lastSeen, atLeast };
  const v = opts.store
    ? await (await import('../../evidence/store/store-commands.js')).verifyInStore(opts.store, check)
    : (await import('../../evidence/verify-evidence.js')).verifyOutputFolder(folder ?? '', check);
  for (const p of v.problems) stderr.write(`FAIL ${p}\n`);
  for (const n of v.notes) stderr.write(`note ${n}\n`);
  if (!publicKeyPem) {
    stderr.write('WARNING: no --public-key: this proves the files are unchanged since they were signed, NOT who signed them (a copy re-signed with another key passes); pin the key you trust with --public-key\n');
  }
  stderr.write(v.ok ? `OK: ${v.runs.length} run(s) verified: every hash, the chain, the head and the signatures hold${opts.lastSeen ? `; ${opts.lastSeen} now holds this head` : ''}\n` : `FAILED: ${v.problems.length} problem(s) in ${v.runs.length} run(s)\n`);
  process.exitCode = findingsExit(!v.ok);
}

async function report(folder: string, opts: { from: string; until: string; drill?: string[]; every?: string; publicKey?: string; to: string }): Promise<void> {
  const [{ parseDay }, { parseDuration }, { auditReport }, { auditCsv, auditHtml }] = await Promise.all([
    import('../../evidence/export-evidence.js'),
    import('../../drill/duration.js'),
    import('../../evidence/audit-report.js'),
    import('../../evidence/audit-report-page.js'),
  ]);
  if (!existsSync(folder)) throw new UsageError(`${folder} not found`, 'name an output folder of runs (pgdrill evidence pull <store> --out <folder> brings a store\'s)');
  const from = parseDay(opts.from, '--from');
  const until = parseDay(opts.until, '--until', true);
  if (until < from) throw new UsageError(`--until ${opts.until} is before --from ${opts.from}`, 'swap them');
  const everyMs = opts.every === undefined ? undefined : parseDuration(opts.every);
  if (opts.every !== undefined && everyMs === undefined) throw new UsageError(`--every ${opts.every} is not a duration`, 'e.g. --every 7d');
  if (opts.publicKey && !existsSync(opts.publicKey)) throw new UsageError(`public key ${opts.publicKey} not found`);
  const publicKeyPem = opts.publicKey ? readFileSync(opts.publicKey, 'utf8') : undefined;
  const r = auditReport(folder, { from, until, drills: opts.drill, everySeconds: everyMs === undefined ? undefined : everyMs / 1000, publicKeyPem });
  mkdirSync(opts.to, { recursive: true });
  writeFileSync(path.join(opts.to, 'restore-tests.html'), auditHtml(r, Boolean(publicKeyPem)));
  writeFileSync(path.join(opts.to, 'restore-tests.csv'), auditCsv(r));
  for (const d of r.drills) {
    stderr.write(`${d.drill}: ${d.runs} run(s), ${d.passed} passed, last verified ${d.lastVerified ?? 'never'}${d.gaps.map((g) => `; GAP ${g.from} to ${g.until}`).join('')}\n`);
  }
  const gapped = r.drills.filter((d) => d.gaps.length > 0 || d.lastVerified === null);
  stderr.write(`${r.verification.ok ? 'evidence verified' : `EVIDENCE DOES NOT VERIFY (${r.verification.problems.length} problem(s))`}; ${gapped.length} drill(s) with a gap; ${path.join(opts.to, 'restore-tests.html')}, ${path.join(opts.to, 'restore-tests.csv')}\n`);
  process.exitCode = findingsExit(!r.verification.ok || gapped.length > 0);
}
