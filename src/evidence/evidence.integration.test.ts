// Tamper-evident evidence on real runs: verify passes on untouched runs; a flipped byte, a deleted or added
// file, a deleted middle run, an edited manifest and a foreign key each fail and are named; export + verify
// round-trips; and no secret used by a run appears in any of its files.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSigner, keygen } from './signing.js';
import { runDrills } from '../runner/run-drills.js';
import { historyPage, slackNotification } from '../report/outputs.js';
import { ROOT, runCli, testFolders } from '../test-support/cli.js';
import { fakeSlack } from '../test-support/fake-slack.js';
import { tempDir } from '../test-support/temp-dirs.js';
import { listFiles } from './hashing.js';
import { verifyEvidence } from './verify-evidence.js';

describe('evidence (real runs)', function () {
  this.timeout(240_000);
  const { out, work } = testFolders();
  const keys = tempDir('drilltest-keys-');
  const PASSWORD = 'Pgdrill-Test-Secret-Password-7731';
  let key: ReturnType<typeof keygen>;
  let runs: string[];
  let webhookSecret = '';

  before(async () => {
    key = keygen(path.join(keys, 'signing'));
    const signer = loadSigner(key.privateFile);
    const slack = await fakeSlack();
    webhookSecret = new URL(slack.url).pathname;
    try {
      for (let i = 0; i < 3; i++) {
        await runDrills([path.join(ROOT, 'drills/quickstart.yaml')], {
          out,
          signal: new AbortController().signal,
          provider: 'local',
          workRoot: work,
          signer,
          password: PASSWORD,
          outputs: [historyPage(), slackNotification({ webhookUrl: slack.url, notify: 'always' })],
        });
      }
    } finally {
      await slack.close();
    }
    runs = readdirSync(out).filter((d) => /^\d/.test(d)).sort();
  });

  /** A copy of the output folder to damage. */
  function copy(): string {
    const dir = path.join(tempDir('drilltest-evidence-'), 'reports');
    cpSync(out, dir, { recursive: true });
    return dir;
  }
  const verifyCli = (folder: string, extra: string[] = []) => runCli(['evidence', 'verify', folder, '--public-key', key.publicFile, ...extra]);

  it('writes a signed manifest per run, chained to the previous one, covering every file', () => {
    expect(runs).to.have.length(3);
    const manifests = runs.map((r) => JSON.parse(readFileSync(path.join(out, r, 'evidence/manifest.json'), 'utf8')));
    expect(manifests[0].previous).to.equal(null);
    expect(manifests[1].previous.runId).to.equal(runs[0]);
    expect(manifests[2].previous.runId).to.equal(runs[1]);
    expect(manifests[2].signing.fingerprint).to.equal(key.fingerprint);
    expect(manifests[0].drills[0].content).to.equal(readFileSync(path.join(ROOT, 'drills/quickstart.yaml'), 'utf8'));
    const listed = manifests[0].files.map((f: { path: string }) => f.path);
    expect(listed).to.deep.equal(listFiles(path.join(out, runs[0] as string)).filter((f) => !f.startsWith('evidence/')));
    const report = readFileSync(path.join(out, runs[0] as string, 'quickstart-drop-table/report.html'), 'utf8');
    expect(report).to.contain(key.fingerprint);
  });

  it('never writes a secret it used (database password, webhook URL, signing key) into any file', () => {
    const privateKey = readFileSync(key.privateFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----'))[0] as string;
    for (const run of runs) {
      for (const f of listFiles(path.join(out, run))) {
        const text = readFileSync(path.join(out, run, f), 'utf8');
        for (const secret of [PASSWORD, webhookSecret, privateKey]) expect(text.includes(secret), `${secret.slice(0, 6)}… in ${run}/${f}`).to.equal(false);
      }
    }
  });

  it('verify passes on untouched runs (exit 0)', async () => {
    const v = await verifyCli(out);
    expect(v.code, v.stderr).to.equal(0);
    expect(v.stderr).to.contain('OK: 3 run(s) verified');
  });

  it('names a file with one flipped byte', async () => {
    const dir = copy();
    const file = path.join(dir, runs[1] as string, 'quickstart-drop-table/result.json');
    const bytes = readFileSync(file);
    bytes[100] = (bytes[100] ?? 0) ^ 0x01;
    writeFileSync(file, bytes);
    const v = await verifyCli(dir);
    expect(v.code).to.equal(1);
    expect(v.stderr).to.contain(`FAIL ${runs[1]}: MODIFIED quickstart-drop-table/result.json`);
  });

  it('names a deleted file and an added file', async () => {
    const dir = copy();
    unlinkSync(path.join(dir, runs[0] as string, 'quickstart-drop-table/logs/restore-server.log'));
    writeFileSync(path.join(dir, runs[2] as string, 'quickstart-drop-table/extra.txt'), 'planted');
    const v = await verifyCli(dir);
    expect(v.code).to.equal(1);
    expect(v.stderr).to.contain(`FAIL ${runs[0]}: REMOVED quickstart-drop-table/logs/restore-server.log`);
    expect(v.stderr).to.contain(`FAIL ${runs[2]}: ADDED quickstart-drop-table/extra.txt`);
  });

  it('names symbolic links instead of following them: a forged folder behind a link, and a dangling link', async () => {
    const dir = copy();
    const logs = path.join(dir, runs[1] as string, 'quickstart-drop-table', 'logs');
    // The logs replaced by a link to a forged copy with the same names: following it would verify forged content.
    const forged = path.join(tempDir('drilltest-forged-'), 'logs');
    cpSync(logs, forged, { recursive: true });
    writeFileSync(path.join(forged, 'restore-server.log'), 'nothing to see here\n');
    rmSync(logs, { recursive: true });
    symlinkSync(forged, logs);
    symlinkSync('/nonexistent/pgdrill-evidence', path.join(dir, runs[2] as string, 'dangling'));
    const v = await verifyCli(dir);
    expect(v.code, v.stderr).to.equal(1);
    expect(v.stderr).to.contain(`FAIL ${runs[1]}: LINK quickstart-drop-table/logs -> ${forged}`);
    expect(v.stderr).to.contain(`FAIL ${runs[1]}: REMOVED quickstart-drop-table/logs/restore-server.log`);
    expect(v.stderr).to.contain(`FAIL ${runs[2]}: LINK dangling -> /nonexistent/pgdrill-evidence`);
    expect(v.stderr).not.to.contain('ENOENT');
  });

  it('finds a deleted middle run by the chain', async () => {
    const dir = copy();
    rmSync(path.join(dir, runs[1] as string), { recursive: true });
    const v = verifyEvidence(dir, { publicKeyPem: readFileSync(key.publicFile, 'utf8') });
    expect(v.ok).to.equal(false);
    expect(v.problems.join('\n')).to.contain(`CHAIN BREAK at ${runs[2]}: it records previous run ${runs[1]}`);
  });

  it('finds an edited manifest by its signature', async () => {
    const dir = copy();
    const file = path.join(dir, runs[2] as string, 'evidence/manifest.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"status": "passed"', '"status": "failed"'));
    const v = await verifyCli(dir);
    expect(v.code).to.equal(1);
    expect(v.stderr).to.contain(`FAIL ${runs[2]}: BAD SIGNATURE`);
  });

  it('refuses runs signed with another key', async () => {
    const other = keygen(path.join(keys, 'other'));
    const v = await runCli(['evidence', 'verify', out, '--public-key', other.publicFile]);
    expect(v.code).to.equal(1);
    expect(v.stderr).to.contain(`SIGNED WITH ANOTHER KEY (${key.fingerprint}, expected ${other.fingerprint})`);
  });

  it('exports a period to .tar.gz that verifies on its own, including a partial chain', async () => {
    const archive = path.join(tempDir('drilltest-export-'), 'evidence.tar.gz');
    const second = JSON.parse(readFileSync(path.join(out, runs[1] as string, 'evidence/manifest.json'), 'utf8')).startedAt as string;
    const exp = await runCli(['evidence', 'export', out, '--since', second, '--to', archive]);
    expect(exp.code, exp.stderr).to.equal(0);
    expect(exp.stderr).to.contain('2 run(s) exported');
    const unpacked = tempDir('drilltest-unpack-');
    mkdirSync(unpacked, { recursive: true });
    execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
    const root = path.join(unpacked, 'pgdrill-evidence');
    expect(readdirSync(root).sort()).to.deep.equal([...(runs.slice(1) as string[]), 'EXPORT.json', 'index.html'].sort());
    expect(readFileSync(path.join(root, 'index.html'), 'utf8')).to.contain('npx pgdrill evidence verify pgdrill-evidence --public-key');
    const v = await verifyCli(root);
    expect(v.code, v.stderr).to.equal(0);
    expect(v.stderr).to.contain(`note chain starts at ${runs[1]}`);
  });

  it('prune --keep removes the oldest runs and records them, signed: the folder still verifies; an unrecorded deletion or a forged record does not', async () => {
    const dir = copy();
    const started = runs.map((r) => Date.parse((JSON.parse(readFileSync(path.join(dir, r, 'evidence/manifest.json'), 'utf8')) as { startedAt: string }).startedAt));
    // A window that reaches back to just after the first run's start: only the first is older (the second started
    // a whole run later, however slow the command starts).
    const keepMs = Date.now() - (started[0] as number) - 100;
    const unsigned = await runCli(['evidence', 'prune', dir, '--keep', `${keepMs}ms`]);
    expect(unsigned.code, 'the head is signed: pruning needs the key').to.equal(2);
    expect(readdirSync(dir).filter((d) => /^\d/.test(d))).to.deep.equal(runs);
    const p = await runCli(['evidence', 'prune', dir, '--keep', `${keepMs}ms`, '--signing-key', key.privateFile]);
    expect(p.code, p.stderr).to.equal(0);
    expect(p.stderr).to.contain(`1 run(s) pruned from ${dir}: ${runs[0]}; 2 kept; recorded in pgdrill-pruned.json`);
    expect(readdirSync(dir).filter((d) => /^\d/.test(d))).to.deep.equal(runs.slice(1));
    const record = JSON.parse(readFileSync(path.join(dir, 'pgdrill-pruned.json'), 'utf8')) as { prunes: Array<{ runs: Array<{ runId: string }> }> };
    expect(record.prunes.flatMap((x) => x.runs.map((r) => r.runId))).to.deep.equal([runs[0]]);
    const v = await verifyCli(dir);
    expect(v.code, v.stderr).to.equal(0);
    expect(v.stderr).to.contain(`note chain starts at ${runs[1]}; its predecessor ${runs[0]} was pruned`);
    const again = await runCli(['evidence', 'prune', dir, '--keep', '400d', '--signing-key', key.privateFile]);
    expect(again.stderr).to.contain('0 run(s) pruned');

    // The next run deleted by hand: not in the record, so a chain break.
    const deleted = path.join(tempDir('drilltest-evidence-'), 'reports');
    cpSync(dir, deleted, { recursive: true });
    rmSync(path.join(deleted, runs[1] as string), { recursive: true });
    const d = await verifyCli(deleted);
    expect(d.code).to.equal(1);
    expect(d.stderr).to.contain(`CHAIN BREAK at ${runs[2]}: it records previous run ${runs[1]}`).and.contain('and not among the runs pgdrill-pruned.json records');
    // The record edited to cover that deletion, without the key: its signature fails.
    const recFile = path.join(deleted, 'pgdrill-pruned.json');
    const rec = JSON.parse(readFileSync(recFile, 'utf8')) as { prunes: Array<{ runs: Array<{ runId: string; startedAt: string; manifestSha256: string }> }> };
    const m1 = readFileSync(path.join(dir, runs[1] as string, 'evidence/manifest.json'));
    rec.prunes[0]?.runs.push({ runId: runs[1] as string, startedAt: '', manifestSha256: createHash('sha256').update(m1).digest('hex') });
    writeFileSync(recFile, `${JSON.stringify(rec, null, 2)}\n`);
    const f = await verifyCli(deleted);
    expect(f.code).to.equal(1);
    expect(f.stderr).to.contain('pgdrill-pruned.json: BAD SIGNATURE');
  });
});
