// A fleet on an existing scheduler: `pgdrill plan` assigns every drill to exactly one shard, the same way every
// time; three shard runs plus `pgdrill aggregate` give the same drills and verdicts as one run of them all, in
// one output folder whose evidence verifies; coverage names the drill that never passed and, with a short
// window, the stale ones, in the output and the metrics.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT, runCli, testFolders } from '../test-support/cli.js';
import { readHistory } from '../report/history.js';
import { advanceFolderHead } from '../evidence/head.js';
import { sha256File } from '../evidence/hashing.js';
import type { Manifest } from '../evidence/manifest.js';
import { keygen, loadSigner, signBytes } from '../evidence/signing.js';
import { shardOf } from './shard.js';

describe('fleet: plan, shards and aggregate (real drills)', function () {
  this.timeout(300_000);
  const { work } = testFolders();
  const fleet = path.join(work, 'drills');
  const planned = path.join(work, 'all-drills');
  const names = ['orders-eu', 'orders-us', 'billing'];
  const env = { PGDRILL_WORK_DIR: work };

  before(() => {
    mkdirSync(fleet, { recursive: true });
    mkdirSync(planned, { recursive: true });
    const quickstart = readFileSync(path.join(ROOT, 'drills', 'quickstart.yaml'), 'utf8').replace(/\.\.\/fixtures/g, path.join(ROOT, 'fixtures'));
    // billing is judged against a shared, named policy (objectives: { from }).
    const policy = path.join(work, 'policy', 'tier1.yaml');
    mkdirSync(path.dirname(policy), { recursive: true });
    writeFileSync(policy, 'name: tier1\nowner: dba-team\nrto: 2m\nrpo: 5s\nvalidateEvery: 7d\n');
    for (const name of names) {
      let text = quickstart.replace('name: quickstart-drop-table', `name: ${name}`);
      if (name === 'billing') text = text.replace('objectives: { rto: 2m, rpo: 5s }', `objectives: { from: ${policy} }`);
      writeFileSync(path.join(fleet, `${name}.yaml`), text);
      writeFileSync(path.join(planned, `${name}.yaml`), text);
    }
    // A drill the fleet should cover that nobody ran.
    writeFileSync(path.join(planned, 'archive.yaml'), quickstart.replace('name: quickstart-drop-table', 'name: archive'));
  });

  it('plan: every drill in exactly one shard, the same assignment every time, for a GitHub matrix and a Kubernetes Indexed Job', async () => {
    const matrix = await runCli(['plan', fleet, '--shards', '3', '--format', 'github-matrix']);
    expect(matrix.code, matrix.stderr).to.equal(0);
    const include = (JSON.parse(matrix.stdout) as { include: Array<{ shard: number; of: number; drills: string }> }).include;
    expect(include.map((s) => [s.shard, s.of])).to.deep.equal([[1, 3], [2, 3], [3, 3]]);
    const assigned = include.flatMap((s) => s.drills.split(', ').filter(Boolean));
    expect([...assigned].sort()).to.deep.equal([...names].sort());
    expect((await runCli(['plan', fleet, '--shards', '3', '--format', 'github-matrix'])).stdout).to.equal(matrix.stdout);
    const k8s = parse((await runCli(['plan', fleet, '--shards', '3', '--format', 'k8s-indexed-job'])).stdout) as { completions: number; shards: Record<string, string[]> };
    expect(k8s.completions).to.equal(3);
    expect(Object.keys(k8s.shards)).to.deep.equal(['0', '1', '2']);
    expect(include.map((s) => s.drills)).to.deep.equal(Object.values(k8s.shards).map((d) => d.join(', ')));
    // Adding a drill moves no other drill.
    const more = path.join(work, 'more');
    mkdirSync(more);
    writeFileSync(path.join(more, 'x.yaml'), 'name: zz-new\n');
    const wider = JSON.parse((await runCli(['plan', more, fleet, '--shards', '3', '--format', 'github-matrix'])).stdout) as { include: Array<{ drills: string }> };
    for (const [i, s] of include.entries()) for (const d of s.drills.split(', ').filter(Boolean)) expect(wider.include[i]?.drills).to.contain(d);
    const bad = await runCli(['run', fleet, '--shard', '4/3']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('--shard 4/3 is not a shard; write i/N');
  });

  it('three shard runs plus aggregate equal one run of all drills; coverage names the drill never run, and stale ones', async () => {
    const single = await runCli(['run', fleet, '--out', path.join(work, 'single')], { env });
    expect(single.code, single.stderr).to.equal(0);
    const singleRun = readHistory(path.join(work, 'single')).entries.map((e) => [e.result.drill.name, e.result.status]).sort();
    expect(singleRun.map((r) => r[0])).to.deep.equal([...names].sort());

    const shardOuts: string[] = [];
    for (const i of [1, 2, 3]) {
      const out = path.join(work, `shard-${i}`);
      const run = await runCli(['run', fleet, '--shard', `${i}/3`, '--out', out], { env });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.match(new RegExp(`shard ${i}/3: \\d drill\\(s\\)`));
      shardOuts.push(out);
    }
    const out = path.join(work, 'fleet');
    const metrics = path.join(work, 'fleet.prom');
    const agg = await runCli(['aggregate', ...shardOuts, '--out', out, '--drills', planned, '--within', '8d', '--metrics', metrics, '--json'], { env });
    expect(agg.code, `a drill of the fleet never passed: ${agg.stderr}`).to.equal(1);
    const { summary, coverage } = JSON.parse(agg.stdout) as { summary: { runId: string; drills: Array<{ drill: string; status: string }> }; coverage: { never: string[]; stale: string[]; drills: Array<{ drill: string; state: string }> } };
    expect(summary.drills.map((d) => [d.drill, d.status]).sort()).to.deep.equal(singleRun);
    expect(coverage.never).to.deep.equal(['archive']);
    expect(coverage.drills.filter((d) => d.state === 'fresh').map((d) => d.drill).sort()).to.deep.equal([...names].sort());
    expect(agg.stderr).to.match(/never {2}archive: last passed never/);
    const prom = readFileSync(metrics, 'utf8');
    for (const n of names) expect(prom).to.match(new RegExp(`pgdrill_fleet_drill_last_success_timestamp_seconds\\{drill="${n}"\\} \\d{10}`));
    expect(prom).to.contain('pgdrill_fleet_drills_stale 1');
    expect(prom).to.contain('pgdrill_fleet_drill_state{drill="archive",state="never"} 1');
    // One run in one output folder: one history, and evidence that verifies (the shards' manifests kept in it).
    const history = readHistory(out).entries;
    expect(new Set(history.map((e) => e.folder.split(path.sep)[0])), 'one run folder').to.deep.equal(new Set([summary.runId]));
    expect(history).to.have.length(3);
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).to.contain(summary.runId);
    // The policy: named in coverage (its validateEvery is billing's window), the result, the report, the evidence.
    expect(coverage.drills.find((d) => d.drill === 'billing')).to.deep.include({ policy: 'tier1', windowSeconds: 8 * 86_400, state: 'fresh' }, '--within wins');
    const billing = history.find((e) => e.result.drill.name === 'billing')!;
    expect(billing.result.objectives.policy).to.deep.include({ name: 'tier1', owner: 'dba-team' });
    expect(billing.result.objectives.validateEverySeconds).to.equal(7 * 86_400);
    expect(readFileSync(path.join(out, billing.folder, 'report.html'), 'utf8')).to.match(/Objectives from policy <b>tier1<\/b> \(owner: dba-team\)/);
    const shardManifests = readdirSync(path.join(out, summary.runId, 'evidence', 'shards')).filter((f) => f.endsWith('.json'));
    const policies = shardManifests.flatMap((f) => (JSON.parse(readFileSync(path.join(out, summary.runId, 'evidence', 'shards', f), 'utf8')) as { policies?: Array<{ name: string; content: string }> }).policies ?? []);
    expect(policies.map((p) => [p.name, p.content])).to.deep.equal([['tier1', readFileSync(path.join(work, 'policy', 'tier1.yaml'), 'utf8')]]);
    const verified = await runCli(['evidence', 'verify', out]);
    expect(verified.code, verified.stderr).to.equal(0);

    // Without --within, each drill is judged by its own validateEvery (billing: its policy's 7d; the others: any pass).
    const own = await runCli(['aggregate', ...shardOuts, '--out', path.join(work, 'fleet-policy'), '--json'], { env });
    expect(own.code, own.stderr).to.equal(0);
    const ownCoverage = (JSON.parse(own.stdout) as { coverage: { drills: Array<{ drill: string; windowSeconds: number | null; state: string }> } }).coverage;
    expect(ownCoverage.drills.map((d) => [d.drill, d.windowSeconds, d.state])).to.deep.equal([
      ['billing', 7 * 86_400, 'fresh'],
      ['orders-eu', null, 'fresh'],
      ['orders-us', null, 'fresh'],
    ]);

    const stale = await runCli(['aggregate', ...shardOuts, '--out', path.join(work, 'fleet-late'), '--within', '1ms'], { env });
    expect(stale.code).to.equal(1);
    for (const n of names) expect(stale.stderr).to.match(new RegExp(`stale  ${n}: last passed 20`));
  });

  it('aggregate verifies every shard before merging: a changed shard is refused by name, a planned shard that reported nothing fails coverage, and evidence verify checks the shards inside a merged run', async () => {
    const key = keygen(path.join(work, 'fleet-key'));
    const outs: string[] = [];
    // Of 3 shards, the first gets none of the three drills (it still says it ran), the third two.
    const inShard = (i: number) => names.filter((n) => shardOf(n, 3) === i).sort();
    expect([1, 2, 3].map((i) => inShard(i).length)).to.deep.equal([0, 1, 2]);
    for (const i of [1, 2, 3]) {
      const out = path.join(work, `signed-shard-${i}`);
      const run = await runCli(['run', fleet, '--shard', `${i}/3`, '--out', out, '--signing-key', key.privateFile], { env });
      expect(run.code, run.stderr).to.equal(0);
      expect(JSON.parse(readFileSync(path.join(out, 'pgdrill-shard.json'), 'utf8'))).to.deep.include({ index: i, of: 3, drills: inShard(i) });
      outs.push(out);
    }
    const agg = (inputs: string[], out: string, ...more: string[]) =>
      runCli(['aggregate', ...inputs, '--out', path.join(work, out), '--drills', fleet, '--signing-key', key.privateFile, '--public-key', key.publicFile, '--json', ...more], { env });

    // Shard 3's job died before its artifact: its drills are missing, not fresh on their last pass; the empty
    // shard 1 is not missing.
    const lost = await agg([outs[0]!, outs[1]!], 'fleet-missing');
    expect(lost.code, lost.stderr).to.equal(1);
    const lostJson = JSON.parse(lost.stdout) as { summary: { missingShards?: string[] }; coverage: { drills: Array<{ drill: string; state: string; shard: string | null }> } };
    expect(lostJson.summary.missingShards).to.deep.equal(['3/3']);
    expect(lostJson.coverage.drills.filter((d) => d.state === 'missing').map((d) => [d.drill, d.shard])).to.deep.equal(inShard(3).map((n) => [n, '3/3']));
    expect(lostJson.coverage.drills.filter((d) => d.state === 'fresh').map((d) => [d.drill, d.shard])).to.deep.equal(inShard(2).map((n) => [n, '2/3']));
    expect(lost.stderr).to.contain('missing shard 3/3: no output among the inputs');
    // ... or it started (its pgdrill-shard.json uploaded) and died before any summary: missing all the same.
    const died = path.join(work, 'died-shard-3');
    mkdirSync(died, { recursive: true });
    execFileSync('cp', [path.join(outs[2]!, 'pgdrill-shard.json'), died]);
    const diedAgg = await agg([outs[0]!, outs[1]!, died], 'fleet-died');
    expect(diedAgg.code, diedAgg.stderr).to.equal(1);
    expect((JSON.parse(diedAgg.stdout) as { summary: { missingShards?: string[] } }).summary.missingShards).to.deep.equal(['3/3']);
    const planned2 = await runCli(['aggregate', ...outs, '--out', path.join(work, 'fleet-two'), '--shards', '2'], { env });
    expect(planned2.code, 'the shards were planned for 3, not 2').to.equal(2);
    expect(planned2.stderr).to.contain('the shards were planned differently: 1/3, 2/3, 3/3 (--shards 2)');

    // A shard's result.json changed after it ran (its verdict rewritten): refused by name, nothing merged.
    const forged = path.join(work, 'forged-shard-3');
    execFileSync('cp', ['-a', outs[2]!, forged]);
    const forgedRun = readdirSync(forged).find((d) => existsSync(path.join(forged, d, 'summary.json')))!;
    const slug = readdirSync(path.join(forged, forgedRun)).find((d) => existsSync(path.join(forged, forgedRun, d, 'result.json')))!;
    const resultFile = path.join(forged, forgedRun, slug, 'result.json');
    writeFileSync(resultFile, readFileSync(resultFile, 'utf8').replace(/"rtoSeconds": [0-9.]+/, '"rtoSeconds": 1'));
    const refused = await agg([outs[0]!, outs[1]!, forged], 'fleet-forged');
    expect(refused.code, refused.stderr).to.equal(1);
    expect(refused.stderr).to.contain(`shard run ${path.join(forged, forgedRun)} does not verify, so nothing was merged`).and.contain(`MODIFIED ${slug}/result.json`);
    expect(existsSync(path.join(work, 'fleet-forged')) ? readdirSync(path.join(work, 'fleet-forged')).filter((d) => d.startsWith('20')) : [], 'no run merged').to.deep.equal([]);

    // The intact shards merge; then an aggregator holding the key changes a merged drill and re-signs the run:
    // its own manifest verifies, the shard's signed manifest inside it does not match.
    const good = await agg(outs, 'fleet-signed');
    expect(good.code, good.stderr).to.equal(0);
    const merged = path.join(work, 'fleet-signed');
    const ok = await runCli(['evidence', 'verify', merged, '--public-key', key.publicFile]);
    expect(ok.code, ok.stderr).to.equal(0);
    const runId = (JSON.parse(good.stdout) as { summary: { runId: string } }).summary.runId;
    const runDir = path.join(merged, runId);
    const victim = path.join(runDir, slug, 'result.json');
    writeFileSync(victim, readFileSync(victim, 'utf8').replace(/"rtoSeconds": [0-9.]+/, '"rtoSeconds": 1'));
    const signer = loadSigner(key.privateFile)!;
    const manifest = JSON.parse(readFileSync(path.join(runDir, 'evidence', 'manifest.json'), 'utf8')) as Manifest;
    for (const f of manifest.files) if (f.path === `${slug}/result.json`) f.sha256 = sha256File(victim);
    const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(path.join(runDir, 'evidence', 'manifest.json'), bytes);
    writeFileSync(path.join(runDir, 'evidence', 'manifest.sig'), `${signBytes(signer, bytes)}\n`);
    advanceFolderHead(merged, runId, 1, signer);
    const v = await runCli(['evidence', 'verify', merged, '--public-key', key.publicFile]);
    expect(v.code, v.stderr).to.equal(1);
    expect(v.stderr).to.match(new RegExp(`${runId}: shard \\S+: MODIFIED ${slug}/result.json \\(the merged copy is not what the shard signed\\)`));
  });
});
