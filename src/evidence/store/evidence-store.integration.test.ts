// Weekly CI that remembers: two runs, each in a fresh output folder (a CI machine keeps nothing), pulling the
// history from an evidence store before and pushing after, against each store kind: a folder, a bare git
// repository as the remote, an s3rver bucket over TLS. Run 2's history page shows both runs and its manifest
// links to run 1's; `evidence verify --store` passes; deleting the first run, deleting the newest run, or
// replacing the newest run with a copy re-signed under another key is each detected and named.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { keygen, loadSigner, signBytes } from '../signing.js';
import type { Manifest } from '../manifest.js';
import { ROOT, runCli, testFolders } from '../../test-support/cli.js';
import { startS3Server, type S3Server } from '../../test-support/s3-server.js';
import type { Blobs } from './blobs.js';
import { pull, verifyStore } from './evidence-store.js';
import { openBlobs } from './open-blobs.js';

describe('evidence stores: a weekly CI that remembers (folder, git branch, S3 bucket)', function () {
  this.timeout(240_000);
  const { work } = testFolders();
  let s3: S3Server;
  let key: { privateFile: string; publicFile: string };
  let otherKey: { privateFile: string; publicFile: string };
  const drill = path.join(ROOT, 'drills', 'quickstart.yaml');

  before(async () => {
    s3 = await startS3Server(path.join(work, 's3'), ['evidence']);
    key = keygen(path.join(work, 'pgdrill-key'));
    otherKey = keygen(path.join(work, 'intruder-key'));
    execFileSync('git', ['init', '-q', '--bare', path.join(work, 'evidence.git')]);
  });
  after(async () => {
    await s3?.stop();
  });

  const TOKEN = 'ghs_pgdrillTestTokenNeverWritten';
  const env = () => ({ PGDRILL_WORK_DIR: work, AWS_ACCESS_KEY_ID: s3.accessKey, AWS_SECRET_ACCESS_KEY: s3.secretKey, AWS_CA_BUNDLE: s3.caFile, PGDRILL_GIT_TOKEN: TOKEN });
  /** Files below the folders that contain the text (grep exits 1 when none does). */
  const containing = (text: string, ...dirs: string[]) => {
    try {
      return execFileSync('grep', ['-rl', '--', text, ...dirs], { encoding: 'utf8' }).trim().split('\n');
    } catch {
      return [];
    }
  };
  const verify = (store: string, pinned = true) => runCli(['evidence', 'verify', '--store', store, ...(pinned ? ['--public-key', key.publicFile] : [])], { env: env() });

  /** Store keys as Blobs sees them, to tamper with the store the way an intruder with write access would. */
  async function tamper(store: string, fn: (b: Awaited<ReturnType<typeof openBlobs>>) => Promise<void>): Promise<void> {
    const b = await openBlobs(store, { ...process.env, ...env() });
    try {
      await fn(b);
      await b.finish('tamper');
    } finally {
      await b.close();
    }
  }
  async function snapshot(store: string): Promise<Map<string, Buffer>> {
    const all = new Map<string, Buffer>();
    await tamper(store, async (b) => {
      for (const k of await b.list()) all.set(k, await b.get(k));
    });
    return all;
  }
  async function restore(store: string, saved: Map<string, Buffer>): Promise<void> {
    await tamper(store, async (b) => {
      for (const k of await b.list()) if (!saved.has(k)) await b.remove(k);
      for (const [k, v] of saved) await b.put(k, v);
    });
  }

  const kinds = () => [
    ['a folder', path.join(work, 'store-folder')],
    ['a git branch (a bare repository as the remote)', `git+file://${path.join(work, 'evidence.git')}#pgdrill-evidence`],
    ['an S3 bucket prefix (s3rver over TLS)', `s3://evidence/weekly?endpoint=${encodeURIComponent(s3.endpoint)}&pathStyle=true`],
  ];

  for (const i of [0, 1, 2]) {
    it(`store ${i + 1}/3: two weekly runs from empty folders share one history and one chain; each kind of tampering is named`, async () => {
      const [kind, store] = kinds()[i] as [string, string];
      const runIds: string[] = [];
      let headAfterWeek1 = new Map<string, Buffer>();
      let tipAfterWeek2 = '';
      for (const week of [1, 2]) {
        const out = path.join(work, `out-${i}-${week}`); // a fresh CI machine: nothing from last week
        const run = await runCli(['run', drill, '--out', out, '--store', store, '--signing-key', key.privateFile], { env: env() });
        expect(run.code, `${kind} week ${week}: ${run.stderr}`).to.equal(0);
        expect(run.stderr).to.match(week === 1 ? /0 earlier run\(s\) pulled/ : /1 earlier run\(s\) pulled/);
        // Run ids sort by time: this week's is the newest folder.
        runIds.push(readdirSync(out).filter((d) => existsSync(path.join(out, d, 'summary.json'))).sort().at(-1) ?? '');
        if (week === 1) headAfterWeek1 = new Map([...(await snapshot(store))].filter(([k]) => k.startsWith('pgdrill-head.')));
        if (week === 2) {
          const index = readFileSync(path.join(out, 'index.html'), 'utf8');
          for (const id of runIds) expect(index, 'the history page lists both weeks').to.contain(id);
          expect(index.match(/class="run-row"/g)).to.have.length(2);
          const manifest = JSON.parse(readFileSync(path.join(out, runIds[1]!, 'evidence', 'manifest.json'), 'utf8')) as Manifest;
          expect(manifest.previous?.runId, 'week 2 links to week 1').to.equal(runIds[0]);
          // Locally, the pulled week 1 is checked as far as it was pulled; its logs are checked in the store.
          const local = await runCli(['evidence', 'verify', out, '--public-key', key.publicFile]);
          expect(local.code, local.stderr).to.equal(0);
          expect(local.stderr).to.match(/pulled from .*file\(s\) \(logs\) are checked in the store only/);
        }
      }
      const ok = await verify(store);
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stderr).to.match(/OK: 2 run\(s\) verified: every hash, the chain, the head and the signatures hold/);
      const unpinned = await verify(store, false);
      expect(unpinned.stderr).to.contain('WARNING: no --public-key');

      // Secrets stay out: the git token, the S3 secret key, the signing key, in no output and no stored file.
      const outs = [1, 2].map((w) => path.join(work, `out-${i}-${w}`));
      const signingPem = readFileSync(key.privateFile, 'utf8').split('\n')[1] ?? 'x';
      for (const secret of [TOKEN, signingPem]) expect(containing(secret, ...outs), 'secret in the reports').to.deep.equal([]);
      expect(containing(s3.secretKey, ...outs), 'S3 secret in the reports').to.deep.equal([]);
      if (store.startsWith('git+')) expect(execFileSync('git', ['-C', path.join(work, 'evidence.git'), 'log', '-p', '--all'], { encoding: 'utf8' })).to.not.contain(TOKEN);
      const saved = await snapshot(store);
      const [first, newest] = runIds as [string, string];
      // 1. the first run deleted: the chain's start is missing.
      await tamper(store, async (b) => {
        for (const k of await b.list()) if (k.startsWith(`${first}/`)) await b.remove(k);
      });
      let v = await verify(store);
      expect(v.code).to.equal(1);
      expect(v.stderr).to.match(new RegExp(`CHAIN BREAK at ${newest}: it records previous run ${first}.*the first runs were deleted`));
      await restore(store, saved);
      // 2. the newest run deleted: no successor links to it, the signed head does.
      await tamper(store, async (b) => {
        for (const k of await b.list()) if (k.startsWith(`${newest}/`)) await b.remove(k);
      });
      v = await verify(store);
      expect(v.code).to.equal(1);
      expect(v.stderr).to.contain(`NEWEST RUN DELETED: the head names run ${newest}`);
      await restore(store, saved);
      // 3. the newest run replaced by a copy whose verdict was changed and re-signed with another key.
      await tamper(store, async (b) => {
        const m = JSON.parse((await b.get(`${newest}/evidence/manifest.json`)).toString('utf8')) as Manifest;
        const intruder = loadSigner(otherKey.privateFile)!;
        m.results[0]!.verdict = 'PASSED (rewritten)';
        m.signing = { algorithm: 'Ed25519', publicKeyPem: intruder.publicKeyPem, fingerprint: intruder.fingerprint };
        const bytes = Buffer.from(`${JSON.stringify(m, null, 2)}\n`);
        await b.put(`${newest}/evidence/manifest.json`, bytes);
        await b.put(`${newest}/evidence/manifest.sig`, Buffer.from(`${signBytes(intruder, bytes)}\n`));
      });
      v = await verify(store);
      expect(v.code).to.equal(1);
      expect(v.stderr).to.contain(`${newest}: SIGNED WITH ANOTHER KEY`);
      expect(v.stderr).to.contain(`NEWEST RUN REPLACED: run ${newest}'s manifest`);
      // Without a pinned key the re-signed manifest itself verifies: the head still catches it.
      v = await verify(store, false);
      expect(v.code).to.equal(1);
      expect(v.stderr).to.contain('NEWEST RUN REPLACED');
      await restore(store, saved);
      expect((await verify(store)).code, 'restored').to.equal(0);

      // 4. A rollback: the newest run deleted and week 1's head put back with its valid signature. Each head
      // counts (sequence) and names the one before; a verifier that kept the last head it saw sees it go back.
      const seen = path.join(work, `last-seen-${i}.json`);
      const pinned = await runCli(['evidence', 'verify', '--store', store, '--public-key', key.publicFile, '--last-seen', seen], { env: env() });
      expect(pinned.code, pinned.stderr).to.equal(0);
      expect(JSON.parse(readFileSync(seen, 'utf8'))).to.deep.include({ sequence: 2, runId: newest });
      const bare = path.join(work, 'evidence.git');
      if (store.startsWith('git+')) tipAfterWeek2 = execFileSync('git', ['-C', bare, 'rev-parse', 'pgdrill-evidence'], { encoding: 'utf8' }).trim();
      await tamper(store, async (b) => {
        for (const k of await b.list()) if (k.startsWith(`${newest}/`)) await b.remove(k);
        for (const [k, v] of headAfterWeek1) await b.put(k, v);
      });
      v = await verify(store);
      if (store.startsWith('git+')) {
        // git keeps every head: head 1 committed after head 2 is a rollback without any state kept outside.
        expect(v.code, v.stderr).to.equal(1);
        expect(v.stderr).to.match(/HEAD ROLLED BACK in git .* head 1 \(run \S+\) follows head 2/);
      } else {
        // A folder or a bucket keeps one head: on its own, a rolled-back store is a consistent older store.
        expect(v.code, `${kind}: what a store without history cannot see on its own: ${v.stderr}`).to.equal(0);
        expect(v.stderr).to.contain('a rollback (newer runs deleted and an older signed head put back) is only seen against a head seen before');
      }
      for (const args of [['--last-seen', seen], ['--expect-at-least', '2']]) {
        const rolled = await runCli(['evidence', 'verify', '--store', store, '--public-key', key.publicFile, ...args], { env: env() });
        expect(rolled.code, `${kind} ${args[0]}: ${rolled.stderr}`).to.equal(1);
        expect(rolled.stderr).to.match(/HEAD ROLLED BACK: .* is at head 1 \(run /);
      }
      expect(readFileSync(seen, 'utf8'), 'a failed verify keeps the last head seen').to.contain('"sequence": 2');
      if (store.startsWith('git+')) {
        // The same rollback by a forced push: the history is gone, the commit the verifier saw too.
        execFileSync('git', ['-C', bare, 'update-ref', 'refs/heads/pgdrill-evidence', `${tipAfterWeek2}~1`]);
        const forced = await runCli(['evidence', 'verify', '--store', store, '--public-key', key.publicFile, '--last-seen', seen], { env: env() });
        expect(forced.code, forced.stderr).to.equal(1);
        expect(forced.stderr).to.match(/HISTORY REWRITTEN: commit \w{12}, where head 2 was seen on .* is no longer in git/);
        execFileSync('git', ['-C', bare, 'update-ref', 'refs/heads/pgdrill-evidence', tipAfterWeek2]);
      } else {
        await restore(store, saved);
      }
      const back = await runCli(['evidence', 'verify', '--store', store, '--public-key', key.publicFile, '--last-seen', seen], { env: env() });
      expect(back.code, `restored: ${back.stderr}`).to.equal(0);

      // 5. Retention: week 1 pruned from the store, recorded and signed; the store still verifies, its head moved on.
      const startedOf = (w: number) => Date.parse((JSON.parse(readFileSync(path.join(work, `out-${i}-${w}`, runIds[w - 1]!, 'evidence', 'manifest.json'), 'utf8')) as Manifest).startedAt);
      // Just past week 1's start: week 1 is older, week 2 (a whole run later) is not, however slow the command starts.
      const keepMs = Date.now() - startedOf(1) - 100;
      const pruned = await runCli(['evidence', 'prune', store, '--keep', `${keepMs}ms`, '--signing-key', key.privateFile], { env: env() });
      expect(pruned.code, pruned.stderr).to.equal(0);
      expect(pruned.stderr).to.contain(`1 run(s) pruned from`).and.contain(`: ${first}; 1 kept`);
      const after = await runCli(['evidence', 'verify', '--store', store, '--public-key', key.publicFile, '--last-seen', seen], { env: env() });
      expect(after.code, `${kind} after prune: ${after.stderr}`).to.equal(0);
      expect(after.stderr).to.contain(`note chain starts at ${newest}; its predecessor ${first} was pruned`).and.contain('note head 3: newest run');
    });
  }

  it('an output folder keeps a signed head too: a deleted newest run is named, a rollback is seen against the last head seen', async () => {
    const out = path.join(work, 'out-folder-head');
    const ids: string[] = [];
    let week1Head = Buffer.alloc(0);
    let week1Sig = Buffer.alloc(0);
    for (const week of [1, 2]) {
      const run = await runCli(['run', drill, '--out', out, '--signing-key', key.privateFile], { env: env() });
      expect(run.code, run.stderr).to.equal(0);
      ids.push(readdirSync(out).filter((d) => existsSync(path.join(out, d, 'summary.json'))).sort().at(-1) ?? '');
      if (week === 1) [week1Head, week1Sig] = [readFileSync(path.join(out, 'pgdrill-head.json')), readFileSync(path.join(out, 'pgdrill-head.sig'))];
    }
    const head = JSON.parse(readFileSync(path.join(out, 'pgdrill-head.json'), 'utf8')) as { sequence: number; runId: string; runs: number };
    expect(head).to.deep.include({ sequence: 2, runId: ids[1], runs: 2 });
    const seen = path.join(work, 'folder-seen.json');
    const ok = await runCli(['evidence', 'verify', out, '--public-key', key.publicFile, '--last-seen', seen]);
    expect(ok.code, ok.stderr).to.equal(0);
    const copy = path.join(work, 'out-folder-head-copy');
    execFileSync('cp', ['-a', out, copy]);
    // The newest run deleted: the head names it.
    execFileSync('rm', ['-rf', path.join(copy, ids[1]!)]);
    let v = await runCli(['evidence', 'verify', copy, '--public-key', key.publicFile]);
    expect(v.code).to.equal(1);
    expect(v.stderr).to.contain(`NEWEST RUN DELETED: the head names run ${ids[1]}`);
    // ... and the head deleted with it: the runs say the folder keeps one.
    execFileSync('rm', ['-f', path.join(copy, 'pgdrill-head.json'), path.join(copy, 'pgdrill-head.sig')]);
    v = await runCli(['evidence', 'verify', copy, '--public-key', key.publicFile]);
    expect(v.code).to.equal(1);
    expect(v.stderr).to.contain('HEAD DELETED: the runs say pgdrill-head.json was kept here');
    // ... or week 1's signed head put back: consistent on its own, a rollback against the head seen before.
    writeFileSync(path.join(copy, 'pgdrill-head.json'), week1Head);
    writeFileSync(path.join(copy, 'pgdrill-head.sig'), week1Sig);
    v = await runCli(['evidence', 'verify', copy, '--public-key', key.publicFile]);
    expect(v.code, v.stderr).to.equal(0);
    v = await runCli(['evidence', 'verify', copy, '--public-key', key.publicFile, '--last-seen', seen]);
    expect(v.code).to.equal(1);
    expect(v.stderr).to.match(/HEAD ROLLED BACK: .* is at head 1 \(run \S+\), but head 2 \(run \S+\) was seen on/);
    expect(v.stderr).to.contain(`RUN DELETED: run ${ids[1]}, the newest on`);
  });

  it('a store key that points outside a run folder (../) is refused whole: nothing pulled, nothing verified, nothing written outside', async () => {
    // A real S3 bucket holds any key; s3rver (a folder per key) and git cannot hold one with "..", so the
    // intruder's key is added to what a real folder store lists: the one thing here that is not real.
    const store = path.join(work, 'store-dotdot');
    const run = await runCli(['run', drill, '--out', path.join(work, 'out-dotdot-src'), '--store', store], { env: env() });
    expect(run.code, run.stderr).to.equal(0);
    const evilKey = '20260101T000000Z-evil/../../escaped.txt';
    const real = await openBlobs(store);
    const intruded: Blobs = {
      describe: real.describe,
      list: async () => [...(await real.list()), evilKey],
      get: async (k) => (k === evilKey ? Buffer.from('written by an intruder') : real.get(k)),
      put: (k, d) => real.put(k, d),
      remove: (k) => real.remove(k),
      finish: (m) => real.finish(m),
      close: () => real.close(),
    };
    const out = path.join(work, 'out-dotdot', 'reports');
    let error: unknown;
    await pull(intruded, out).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain(`key(s) that point outside a run folder: "${evilKey}"; nothing was copied from it`);
    expect(existsSync(path.join(work, 'escaped.txt')) || existsSync(path.join(work, 'out-dotdot', 'escaped.txt')), 'nothing written outside').to.equal(false);
    expect(existsSync(out) ? readdirSync(out) : [], 'nothing pulled').to.deep.equal([]);
    error = undefined;
    await verifyStore(intruded, {}).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain('point outside a run folder');
    await real.close();
  });

  it('refuses to push a run whose chain does not continue from the store (a run made without pulling first)', async () => {
    const store = path.join(work, 'store-folder');
    const out = path.join(work, 'out-no-pull');
    const run = await runCli(['run', drill, '--out', out, '--signing-key', key.privateFile], { env: env() });
    expect(run.code, run.stderr).to.equal(0);
    const pushed = await runCli(['evidence', 'push', store, '--out', out], { env: env() });
    expect(pushed.code).to.equal(3);
    expect(pushed.stderr).to.match(/continues the chain from nothing \(a first run\), but the store's newest run is \S+: pushing it would break the chain/);
    expect(pushed.stderr).to.contain('pull from the store into an empty output folder before the run');
    expect((await verify(store)).code, 'the store is unchanged').to.equal(0);
  });
});
