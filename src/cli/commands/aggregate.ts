// `pgdrill aggregate`: the output folders of shard runs merged into one run, with coverage.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { evidenceStore, signerFrom, stderr } from '../common.js';
import { writeFileAtomic } from '../../report/atomic-write.js';

interface AggregateFlags {
  out: string;
  drills?: string[];
  within?: string;
  metrics?: string;
  signingKey?: string;
  publicKey?: string;
  shards?: string;
  store?: string;
  json?: boolean;
}

export function aggregateCommand(): Command {
  return new Command('aggregate')
    .description('merge the output folders of shard runs into one run of one output folder, with coverage: which drills passed within the window')
    .argument('<shard-out...>', 'the --out folders (or run folders) the shards wrote')
    .option('--out <dir>', 'output folder of the fleet (pull the evidence store into it first, or use --store)', 'reports')
    .option('--drills <paths...>', 'the drill files or folders the fleet should cover (a drill without a passing run is "never")')
    .option('--within <duration>', 'a drill whose last pass is older is stale and fails the command, e.g. 8d')
    .option('--metrics <file>', 'write pgdrill_fleet_drill_last_success_timestamp_seconds{drill}, pgdrill_fleet_drill_state and pgdrill_fleet_drills_stale (written atomically)')
    .option('--signing-key <file>', 'sign the merged run\'s manifest (or PGDRILL_SIGNING_KEY)')
    .option('--public-key <file>', 'every shard run must be signed with this key (default: the signing key\'s own); a shard that does not verify is refused')
    .option('--shards <n>', 'the shard count pgdrill plan used: a planned shard with nothing among the inputs fails coverage (default: the count the shards recorded)')
    .option('--store <store>', 'evidence store to pull before and push after (or PGDRILL_EVIDENCE_STORE)')
    .option('--json', 'print the summary and coverage as JSON on stdout')
    .action(aggregateShards);
}

async function aggregateShards(inputs: string[], opts: AggregateFlags): Promise<void> {
  const [{ aggregate }, { coverageMetrics }, { parseDuration }, { expandDrillFiles }, { drillNames }] = await Promise.all([
    import('../../fleet/aggregate.js'),
    import('../../fleet/coverage.js'),
    import('../../drill/duration.js'),
    import('../../drill/drill-files.js'),
    import('../../fleet/shard.js'),
  ]);
  const withinMs = opts.within === undefined ? undefined : parseDuration(opts.within);
  if (opts.within !== undefined && withinMs === undefined) throw new UsageError(`--within ${opts.within} is not a duration`, 'e.g. --within 8d');
  const signer = await signerFrom(opts.signingKey);
  const shards = opts.shards === undefined ? undefined : Number(opts.shards);
  if (shards !== undefined && (!Number.isInteger(shards) || shards < 1 || shards > 256)) throw new UsageError(`--shards ${opts.shards} is not a whole number from 1 to 256`, 'the --shards of pgdrill plan, e.g. --shards 4');
  if (opts.publicKey && !existsSync(opts.publicKey)) throw new UsageError(`public key ${opts.publicKey} not found`, 'pass the .pub file pgdrill keygen wrote');
  const publicKeyPem = opts.publicKey ? readFileSync(opts.publicKey, 'utf8') : undefined;
  const store = await evidenceStore(opts.store, opts.out, signer);
  await store?.pull();
  const expected = opts.drills ? drillNames(expandDrillFiles(opts.drills)).map((d) => d.name) : undefined;
  const a = aggregate(inputs, { out: opts.out, expected, withinMs, signer, publicKeyPem, shards });
  if (opts.metrics) writeFileAtomic(opts.metrics, coverageMetrics(a.coverage));
  for (const d of a.coverage.drills) {
    stderr.write(`${d.state.padEnd(6)} ${d.drill}: last passed ${d.lastSuccess ?? 'never'}${d.lastStatus && d.lastStatus !== 'passed' ? ` (last run ${d.lastStatus})` : ''}${d.shard ? `; shard ${d.shard}${d.state === 'missing' ? ' reported nothing' : ''}` : ''}\n`);
  }
  for (const w of a.summary.missingShards ?? []) stderr.write(`missing shard ${w}: no output among the inputs (its job died before its drills ended, or its artifact was not passed)\n`);
  stderr.write(`${a.shards.length} shard run(s) merged into ${path.relative(process.cwd(), a.runDir) || a.runDir}: ${a.summary.drills.length} drill(s)${withinMs !== undefined ? `; ${a.coverage.stale.length} stale, ${a.coverage.never.length} never passed within ${opts.within}` : ''}\n`);
  await store?.push();
  if (opts.json) process.stdout.write(`${JSON.stringify({ summary: a.summary, coverage: a.coverage }, null, 2)}\n`);
  process.exitCode = a.exitCode;
}
