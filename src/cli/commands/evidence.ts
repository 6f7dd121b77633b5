// `pgdrill evidence verify | pull | push | export`: tamper-evident drill records.
import { existsSync, readFileSync } from 'node:fs';
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
  return evidence;
}

async function verify(folder: string | undefined, opts: { publicKey?: string; store?: string }): Promise<void> {
  if (!folder && !opts.store) throw new UsageError('name an output folder or --store <store>', 'e.g. pgdrill evidence verify reports --public-key pgdrill.pub');
  if (opts.publicKey && !existsSync(opts.publicKey)) throw new UsageError(`public key ${opts.publicKey} not found`);
  const publicKeyPem = opts.publicKey ? readFileSync(opts.publicKey, 'utf8') : undefined;
  const v = opts.store
    ? await (await import('../../evidence/store/store-commands.js')).verifyInStore(opts.store, publicKeyPem)
    : (await import('../../evidence/verify-evidence.js')).verifyEvidence(folder ?? '', { publicKeyPem });
  for (const p of v.problems) stderr.write(`FAIL ${p}\n`);
  for (const n of v.notes) stderr.write(`note ${n}\n`);
  if (!publicKeyPem) {
    stderr.write('WARNING: no --public-key: this proves the files are unchanged since they were signed, NOT who signed them (a copy re-signed with another key passes); pin the key you trust with --public-key\n');
  }
  stderr.write(v.ok ? `OK: ${v.runs.length} run(s) verified: every hash, the chain${opts.store ? ', the head' : ''} and the signatures hold\n` : `FAILED: ${v.problems.length} problem(s) in ${v.runs.length} run(s)\n`);
  process.exitCode = findingsExit(!v.ok);
}
