// Backups that live on object storage only (s3rver over TLS on 127.0.0.1 standing in for S3): a pgBackRest stanza
// whose repository is on S3, through the user's own config with the keys in it, and barman-cloud backups with the
// keys in the environment. Every object in the bucket is hashed before and after; no key reaches an output.
import { expect } from 'chai';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { onlyResult, ROOT, runCli, testFolders, workFoldersLeft } from '../test-support/cli.js';
import { cloudCluster, type CloudCluster } from '../test-support/cloud-cluster.js';
import { startS3Server, type S3Server } from '../test-support/s3-server.js';
import { hashes } from '../test-support/file-hashes.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('drills of backups on object storage (s3rver over TLS, real pgBackRest and barman-cloud)', function () {
  this.timeout(240_000);
  const { work } = testFolders();
  let s3: S3Server;
  let cloud: CloudCluster;

  before(async () => {
    s3 = await startS3Server(path.join(work, 's3'), ['backups', 'drills']);
    cloud = await cloudCluster(path.join(work, 'cloud'), s3, 'backups');
  });
  after(async () => {
    cloud?.stop();
    await s3?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  function drillFile(name: string, body: string): string {
    const file = path.join(work, `${name}.yaml`);
    writeFileSync(file, `name: ${name}\nobjectives: { rto: 5m, rpo: 10m }\n${body}verify:\n  - sql: select count(*) from ledger\n    expect: "${cloud.totalRows}"\n`);
    return file;
  }

  function noKeyIn(dir: string): void {
    expect(filesUnder(dir).filter((f) => readFileSync(f).includes(s3.secretKey))).to.deep.equal([]);
  }

  /** A shipped example drill, pointed at this test's S3 endpoint: the examples run as written otherwise. */
  function shipped(name: string, edits: Array<[string | RegExp, string]>): string {
    let text = readFileSync(path.join(ROOT, 'drills', name), 'utf8').replace(/\.\.\/fixtures/g, path.join(ROOT, 'fixtures'));
    for (const [from, to] of edits) {
      const next = text.replace(from, to);
      expect(next, `${name} holds ${String(from)}`).not.to.equal(text);
      text = next;
    }
    const file = path.join(work, name);
    writeFileSync(file, text);
    return file;
  }

  it('a pgBackRest stanza whose repository is on S3: restored through the user\'s config, every object unchanged', async () => {
    const before = hashes(s3.directory);
    const out = path.join(work, 'out-pgbackrest-s3');
    const file = drillFile('cloud-pgbackrest', `source:\n  pgbackrest: { stanza: ${cloud.stanza}, config: ${cloud.pgbackrestConf} }\n`);
    const run = await runCli(['run', file, '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    const r = onlyResult(out);
    expect(r.status, r.diagnosis).to.equal('passed');
    expect(r.recovery.reached).to.equal(true);
    expect(r.source?.walRange?.last).to.match(/^[0-9A-F]{24}$/);
    expect(hashes(s3.directory)).to.deep.equal(before);
    noKeyIn(out);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('barman-cloud backups: listed, restored and replayed through barman-cloud-wal-restore, keys only in the environment', async () => {
    const before = hashes(s3.directory);
    const out = path.join(work, 'out-barman-cloud');
    const file = drillFile('cloud-barman', `source:\n  barmanCloud: { destination: ${cloud.barmanDestination}, server: ${cloud.barmanServer}, endpoint: "${s3.endpoint}" }\n`);
    const run = await runCli(['run', file, '--out', out], { env: { PGDRILL_WORK_DIR: work, ...cloud.awsEnv } });
    expect(run.code, run.stderr).to.equal(0);
    const r = onlyResult(out);
    expect(r.status, r.diagnosis).to.equal('passed');
    expect(r.source).to.deep.include({ kind: 'barman-cloud', pgMajor: 15, chosenBy: 'latest' });
    expect(r.source?.sizeBytes).to.be.greaterThan(1_000_000);
    // The server writes its times in Asia/Tokyo: the backup finished minutes ago, not 9 hours from now.
    const age = (Date.now() - Date.parse(r.source?.stopTime ?? '')) / 1000;
    expect(age, r.source?.stopTime).to.be.within(0, 900);
    expect(r.recovery.reached).to.equal(true);
    // WAL comes through a script of the work folder: no key in the setting, the command lines or any file.
    expect(r.recovery.settings['restore_command']).to.match(/barman-cloud\/wal-restore\.sh' %f %p \);/);
    // Fetching each segment from the bucket (a Python process per file) is most of the replay, and shows.
    expect(r.measured.walFilesFetched).to.be.greaterThan(0);
    expect(r.measured.walFetchSeconds).to.be.greaterThan(0.5);
    expect(r.commands.map((c) => c.command).join('\n')).to.contain('barman-cloud-restore').and.not.contain(s3.secretKey);
    expect(hashes(s3.directory)).to.deep.equal(before);
    noKeyIn(out);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  describe('pgdrill\'s own drills with the pgBackRest repository on S3', () => {
    const s3Drill = (name: string, incident: string, extra = '') => {
      const file = path.join(work, `${name}.yaml`);
      writeFileSync(
        file,
        `name: ${name}\nobjectives: { rto: 5m, rpo: 70s }\npostgres: { settings: { archive_timeout: 60s } }\nbackup:\n  method: pgbackrest\n  repo: { type: s3, bucket: drills, endpoint: "${s3.endpoint}", uriStyle: path, caFile: ${s3.caFile} }\nworkload: { fixtures: [${path.join(ROOT, 'fixtures', 'shop.sql')}], heartbeat: 200ms }\nincident: ${incident}\n${extra}`,
      );
      return file;
    };
    const keys = () => ({ PGDRILL_WORK_DIR: work, PGBACKREST_REPO1_S3_KEY: s3.accessKey, PGBACKREST_REPO1_S3_KEY_SECRET: s3.secretKey });
    const bucketFiles = () => filesUnder(path.join(s3.directory, 'drills'));

    it('drop-table recovered to just before the incident, through archive-get from S3; the drill\'s stanza is deleted from the bucket', async () => {
      const out = path.join(work, 'out-s3-drop');
      // Progress every 50 ms: the backup's comes from pgBackRest's own lock file (no pg_stat_progress_basebackup row).
      const run = await runCli(['run', s3Drill('s3-drop-table', '{ kind: drop-table, table: orders }', 'recovery: { target: before-incident }\nverify:\n  - sql: select count(*) from customers\n    expect: "100"\n'), '--out', out], { env: { ...keys(), PGDRILL_PROGRESS_SECONDS: '0.05' } });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.match(/^\[\s*[\d.]+s\] base-backup \S+ \S*B of \S+ [kMG]B \(\d+%\)/m);
      const r = onlyResult(out);
      expect(r.status, r.diagnosis).to.equal('passed');
      expect(r.measured.rpoSeconds).to.be.at.most(0.2 + 0.05);
      expect(r.recovery.settings['restore_command']).to.contain('archive-get');
      // Fetching from the bucket is timed apart from replay (the restore_command runs in a timing wrapper).
      expect(r.measured.walFilesFetched).to.be.at.least(1);
      expect(r.measured.walFetchSeconds).to.be.greaterThan(0).and.below(r.phases.find((p) => p.name === 'wal-replay')?.seconds ?? 0);
      expect(r.checks.find((c) => c.name === 'backup-verified')?.status).to.equal('passed');
      // Nothing of the drill is left in the bucket, and no key in any output.
      expect(bucketFiles()).to.deep.equal([]);
      noKeyIn(out);
      expect(workFoldersLeft(work)).to.deep.equal([]);
    });

    it('primary loss: every commit the repository on S3 had received is back (RPO within archive_timeout)', async () => {
      const out = path.join(work, 'out-s3-loss');
      const file = shipped('pgbackrest-s3.yaml', [
        ['bucket: my-drills', 'bucket: drills'],
        [/endpoint: https:\/\/s3\.eu-west-1\.amazonaws\.com/, `endpoint: "${s3.endpoint}"`],
        ['uriStyle: host', 'uriStyle: path'],
        [/# caFile: \S+/, `caFile: ${s3.caFile}`],
      ]);
      const run = await runCli(['run', file, '--out', out], { env: keys() });
      expect(run.code, run.stderr).to.be.oneOf([0, 1]);
      const r = onlyResult(out);
      expect(r.recovery.reached, r.diagnosis).to.equal(true);
      expect(r.measured.rpoMethod).to.equal('markers');
      expect(r.measured.rpoSeconds).to.be.at.most(60 + 0.2 + 2);
      noKeyIn(out);
      expect(workFoldersLeft(work)).to.deep.equal([]);
    });

    it('missing-wal deletes a WAL object of the drill\'s repository: detected, the object named; corrupt-backup alters a backup object: pgbackrest verify finds it', async () => {
      const out = path.join(work, 'out-s3-damage');
      const missing = await runCli(['run', s3Drill('s3-missing-wal', '{ kind: missing-wal }', 'expect: detected\n'), '--out', out], { env: keys() });
      expect(missing.code, missing.stderr).to.equal(0);
      const m = onlyResult(out);
      expect(m.status, m.diagnosis).to.equal('passed');
      const segment = m.incident?.details?.['missingSegment'] ?? '';
      expect(m.incident?.details?.['deleted']).to.match(new RegExp(`^s3://drills/.+/archive/drill/15-1/${segment.slice(0, 16)}/${segment}-[0-9a-f]{40}`));
      expect(m.checks.find((c) => c.name === 'WAL archive continuous')?.detail).to.contain(`segment ${segment} is missing`);
      expect(m.diagnosis).to.contain(`WAL segment ${segment} is missing from the archive (s3://drills/`);
      rmSync(out, { recursive: true });

      const corrupt = await runCli(['run', s3Drill('s3-corrupt-backup', '{ kind: corrupt-backup }', 'expect: detected\n'), '--out', out], { env: keys() });
      expect(corrupt.code, corrupt.stderr).to.equal(0);
      const c = onlyResult(out);
      expect(c.status, c.diagnosis).to.equal('passed');
      const file = c.incident?.details?.['file'] ?? '';
      expect(c.incident?.details?.['where']).to.match(/^s3:\/\/drills\/.+\/backup\/drill\/\d{8}-\d{6}F\/pg_data\/base\//).and.contain(file);
      const verified = c.checks.find((k) => k.name === 'backup-verified');
      expect(verified?.status).to.equal('failed');
      expect(verified?.detail).to.contain(`invalid checksum`).and.contain(file);
      expect(bucketFiles()).to.deep.equal([]);
      noKeyIn(out);
      expect(workFoldersLeft(work)).to.deep.equal([]);
    });

    it('no key in the environment: exit 3 naming the variables, nothing left behind', async () => {
      const out = path.join(work, 'out-s3-nokey');
      const run = await runCli(['run', s3Drill('s3-no-key', '{ kind: drop-table, table: orders }'), '--out', out], { env: { PGDRILL_WORK_DIR: work, PGBACKREST_REPO1_S3_KEY: '', PGBACKREST_REPO1_S3_KEY_SECRET: '', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
      expect(run.code, run.stderr).to.equal(3);
      expect(onlyResult(out).error?.suggestion).to.contain('PGBACKREST_REPO1_S3_KEY');
      expect(workFoldersLeft(work)).to.deep.equal([]);
    });

    // s3rver checks the access key id, so the wrong credential is the key id; the secret goes with it.
    it('a wrong key: exit 3 naming the endpoint and what pgBackRest said, nothing left behind, no key in any output', async () => {
      const out = path.join(work, 'out-s3-wrong');
      const wrong = 'NOTTHEKEY' + Math.random().toString(36).slice(2).toUpperCase();
      const run = await runCli(['run', s3Drill('s3-wrong-key', '{ kind: drop-table, table: orders }'), '--out', out], { env: { ...keys(), PGBACKREST_REPO1_S3_KEY: wrong } });
      expect(run.code, run.stderr).to.equal(3);
      const r = onlyResult(out);
      expect(r.error?.message).to.contain(`at ${s3.endpoint}`).and.contain('pgbackrest stanza-create could not use the S3 repository s3://drills').and.match(/InvalidAccessKeyId|403|Forbidden/);
      expect(r.error?.suggestion).to.contain('PGBACKREST_REPO1_S3_KEY');
      expect(filesUnder(out).filter((f) => readFileSync(f).includes(wrong) || readFileSync(f).includes(s3.secretKey))).to.deep.equal([]);
      expect(bucketFiles()).to.deep.equal([]);
      expect(workFoldersLeft(work)).to.deep.equal([]);
    });
  });

  describe('pgdrill\'s own drills with barman-cloud', () => {
    const cloudDrill = (name: string, incident: string, extra = '') => {
      const file = path.join(work, `${name}.yaml`);
      writeFileSync(
        file,
        `name: ${name}\nobjectives: { rto: 5m, rpo: 70s }\npostgres: { settings: { archive_timeout: 60s } }\nbackup:\n  method: barman-cloud\n  cloud: { destination: "s3://drills/barman", endpoint: "${s3.endpoint}" }\nworkload: { fixtures: [${path.join(ROOT, 'fixtures', 'shop.sql')}], heartbeat: 200ms }\nincident: ${incident}\n${extra}`,
      );
      return file;
    };
    const env = () => ({ PGDRILL_WORK_DIR: work, ...cloud.awsEnv });
    const drillObjects = () => filesUnder(path.join(s3.directory, 'drills')).filter((f) => f.includes(`${path.sep}barman${path.sep}pgdrill-`));

    it('drop-table recovered to just before the incident through barman-cloud-wal-restore; the drill\'s objects are deleted', async () => {
      const out = path.join(work, 'out-bc-drop');
      const file = shipped('barman-cloud.yaml', [
        ['s3://my-drills/barman', 's3://drills/barman'],
        [/# endpoint: \S+/, `endpoint: "${s3.endpoint}"`],
      ]);
      // Progress every 50 ms: the backup's from the bytes barman-cloud-backup has read (it reports nothing itself).
      const run = await runCli(['run', file, '--out', out], { env: { ...env(), PGDRILL_PROGRESS_SECONDS: '0.05' } });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.match(/^\[\s*[\d.]+s\] base-backup \S+ \S*B of \S+ [kMG]B \(\d+%\)/m);
      const r = onlyResult(out);
      expect(r.status, r.diagnosis).to.equal('passed');
      expect(r.environment.backupMethod).to.equal('barman-cloud');
      expect(r.checks.find((c) => c.name === 'barman-cloud WAL archive safe for a new server')?.detail).to.contain('barman-cloud-check-wal-archive');
      expect(r.measured.rpoSeconds).to.be.at.most(0.25);
      expect(r.recovery.settings['restore_command']).to.match(/\( '\S+barman-cloud\/wal-restore\.sh' %f %p \);/);
      expect(r.measured.walFilesFetched).to.be.at.least(1);
      expect(r.measured.walFetchSeconds).to.be.greaterThan(0).and.below(r.phases.find((p) => p.name === 'wal-replay')?.seconds ?? 0);
      expect(r.checks.find((c) => c.name === 'backup-verified')?.status).to.equal('passed');
      expect(drillObjects()).to.deep.equal([]);
      noKeyIn(out);
      expect(workFoldersLeft(work)).to.deep.equal([]);
    });

    it('primary loss: the commits barman-cloud-wal-archive had shipped are back (RPO within archive_timeout)', async () => {
      const out = path.join(work, 'out-bc-loss');
      const run = await runCli(['run', cloudDrill('bc-primary-loss', '{ kind: primary-loss }'), '--out', out], { env: env() });
      expect(run.code, run.stderr).to.be.oneOf([0, 1]);
      const r = onlyResult(out);
      expect(r.recovery.reached, r.diagnosis).to.equal(true);
      expect(r.measured.rpoMethod).to.equal('markers');
      expect(r.measured.rpoSeconds).to.be.at.most(60 + 0.2 + 3);
      expect(drillObjects()).to.deep.equal([]);
      noKeyIn(out);
    });

    it('missing-wal deletes a WAL object: detected with its key; corrupt-backup alters data.tar: barman-cloud cannot tell, the integrity pass does', async () => {
      const out = path.join(work, 'out-bc-damage');
      const missing = await runCli(['run', cloudDrill('bc-missing-wal', '{ kind: missing-wal }', 'expect: detected\n'), '--out', out], { env: env() });
      expect(missing.code, missing.stderr).to.equal(0);
      const m = onlyResult(out);
      expect(m.status, m.diagnosis).to.equal('passed');
      const segment = m.incident?.details?.['missingSegment'] ?? '';
      expect(m.incident?.details?.['deleted']).to.match(new RegExp(`^s3://drills/barman/pgdrill-[^/]+/wals/${segment.slice(0, 16)}/${segment}`));
      expect(m.checks.find((c) => c.name === 'WAL archive continuous')?.detail).to.contain(`segment ${segment} is missing`);
      expect(m.diagnosis).to.contain(`WAL segment ${segment} is missing from the archive (s3://drills/barman/pgdrill-`);
      rmSync(out, { recursive: true });

      const corrupt = await runCli(['run', cloudDrill('bc-corrupt-backup', '{ kind: corrupt-backup }', 'expect: detected\n'), '--out', out], { env: env() });
      expect(corrupt.code, corrupt.stderr).to.equal(0);
      const c = onlyResult(out);
      expect(c.status, c.diagnosis).to.equal('passed');
      expect(c.incident?.details?.['where']).to.match(/^s3:\/\/drills\/barman\/pgdrill-[^/]+\/base\/[^/]+\/data\.tar \(tar member base\/\d+\/\d+\)$/);
      // The catalog's word is all barman-cloud has; the damaged page is found by the integrity pass (pg_checksums
      // over the stopped copy proves every block; the row scan meets it first when the table has values to decode).
      expect(c.checks.find((k) => k.name === 'backup-verified')?.status).to.equal('passed');
      expect(c.expectation.detail).to.match(/^detected by "integrity: /);
      const sums = c.checks.find((k) => k.name === 'integrity: pg_checksums --check (server stopped)');
      expect(sums?.status, sums?.detail).to.equal('failed');
      expect(sums?.detail).to.match(/block\(s\) with a wrong checksum/);
      expect(drillObjects()).to.deep.equal([]);
      noKeyIn(out);
      expect(workFoldersLeft(work)).to.deep.equal([]);
    });

    it('refuses barman-cloud without a destination, and a destination for another method (exit 2)', async () => {
      const file = path.join(work, 'bc-bad.yaml');
      writeFileSync(file, 'name: bc-bad\nobjectives: { rto: 1m, rpo: 1m }\nbackup: { method: barman-cloud }\nincident: { kind: primary-loss }\n');
      const a = await runCli(['validate', file]);
      expect(a.code).to.equal(2);
      expect(a.stderr).to.contain('backup method barman-cloud needs backup.cloud');
      writeFileSync(file, 'name: bc-bad\nobjectives: { rto: 1m, rpo: 1m }\nbackup: { method: pg_basebackup, cloud: { destination: "s3://x/y" } }\nincident: { kind: primary-loss }\n');
      const b = await runCli(['validate', file]);
      expect(b.stderr).to.contain('backup.cloud is not an option of backup method pg_basebackup (it is for barman-cloud)');
    });
  });

  it('compare: one drill file with backup.repo and backup.cloud runs on pgBackRest-on-S3 and barman-cloud, each method keeping its own option', async () => {
    const out = path.join(work, 'out-compare');
    const file = path.join(work, 'compare-cloud.yaml');
    writeFileSync(
      file,
      `name: compare-cloud\nobjectives: { rto: 5m, rpo: 5s }\npostgres: { settings: { archive_timeout: 60s } }\nbackup:\n  method: pgbackrest\n  repo: { type: s3, bucket: drills, endpoint: "${s3.endpoint}", uriStyle: path, caFile: ${s3.caFile} }\n  cloud: { destination: "s3://drills/barman", endpoint: "${s3.endpoint}" }\nworkload: { fixtures: [${path.join(ROOT, 'fixtures', 'shop.sql')}], heartbeat: 200ms }\nincident: { kind: drop-table, table: orders }\nrecovery: { target: before-incident }\nverify:\n  - sql: select count(*) from customers\n    expect: "100"\n`,
    );
    // A plain drill refuses the second option: compare is what lets one file carry both.
    expect((await runCli(['validate', file])).stderr).to.contain('backup.cloud is not an option of backup method pgbackrest');
    const run = await runCli(['compare', file, '--methods', 'pgbackrest,barman-cloud', '--out', out], { env: { PGDRILL_WORK_DIR: work, ...cloud.awsEnv } });
    expect(run.code, run.stderr).to.equal(0);
    const json = filesUnder(out).find((f) => f.endsWith('comparison.json')) ?? '';
    const rows = (JSON.parse(readFileSync(json, 'utf8')) as { rows: Array<{ method: string; status: string; lostTransactions: number | null }> }).rows;
    expect(rows.map((r) => [r.method, r.status, r.lostTransactions])).to.deep.equal([
      ['pgbackrest', 'passed', 0],
      ['barman-cloud', 'passed', 0],
    ]);
    expect(filesUnder(path.join(s3.directory, 'drills')).filter((f) => f.includes(`${path.sep}pgdrill${path.sep}`) || f.includes(`${path.sep}barman${path.sep}pgdrill-`))).to.deep.equal([]);
    noKeyIn(out);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  // s3rver checks the access key (it accepts any well-formed signature of a known key), so the wrong credential is the key id.
  it('wrong credentials: a clear error naming the endpoint and what the tool said, exit 3, nothing left behind', async () => {
    const out = path.join(work, 'out-wrong-key');
    const file = drillFile('cloud-wrong-key', `source:\n  barmanCloud: { destination: ${cloud.barmanDestination}, server: ${cloud.barmanServer}, endpoint: "${s3.endpoint}" }\n`);
    const wrong = 'NOTTHEKEY' + Math.random().toString(36).slice(2).toUpperCase();
    const run = await runCli(['run', file, '--out', out], { env: { PGDRILL_WORK_DIR: work, ...cloud.awsEnv, AWS_ACCESS_KEY_ID: wrong } });
    expect(run.code, run.stderr).to.equal(3);
    const r = onlyResult(out);
    expect(r.error?.message).to.contain(`endpoint ${s3.endpoint}`).and.contain('barman-cloud-backup-list failed');
    expect(r.error?.suggestion).to.contain('AWS_SECRET_ACCESS_KEY');
    expect(filesUnder(out).filter((f) => readFileSync(f).includes(wrong))).to.deep.equal([]);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });
});
