// The never-write promise for a user who is not root (the way most DBAs run pgdrill from a laptop or a CI
// runner): pgdrill as an unprivileged user drills a base-backup folder and its WAL archive that user made,
// every child (the copy, the sandbox server, its restore_command) behind bubblewrap's read-only binds. As root,
// the suite runs this as the unprivileged test user; as any other user, as itself. Both ways: the intact archive
// passes with every row, a copy missing its newest segment fails, and not a byte of either changed.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { resultSchema, type DrillResult } from '../model/result-schema.js';
import { dockerUser, type DockerUser } from '../test-support/docker-user.js';
import { folders, hashes } from '../test-support/file-hashes.js';
import { asRoot, freePort } from '../test-support/host.js';
import { postgresProcessesUnder, runCli, workFoldersLeft } from '../test-support/cli.js';
import { tempDir } from '../test-support/temp-dirs.js';

const BIN = '/usr/lib/postgresql/15/bin';

describe('never-write as a non-root user (bubblewrap, local provider, real PostgreSQL)', function () {
  this.timeout(240_000);
  let user: DockerUser;
  let root: string;
  const as = (file: string, args: string[], quiet = false) =>
    execFileSync(asRoot ? 'setpriv' : file, asRoot ? [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', file, ...args] : args, { encoding: 'utf8', cwd: root, env: { ...process.env, HOME: user.home }, ...(quiet ? { stdio: 'ignore' as const } : {}) });

  before(async () => {
    root = tempDir('nonroot-drill-');
    // As root: the suite's unprivileged user; otherwise whoever runs the suite.
    user = asRoot ? dockerUser() : { name: userInfo().username, uid: userInfo().uid, gid: userInfo().gid, home: process.env['HOME'] ?? root };
    if (asRoot) chownSync(root, user.uid, user.gid);
    const port = await freePort();
    // A cluster, its archive and a base backup, all the unprivileged user's, made with the server's own tools.
    const script = [
      'set -e',
      `${BIN}/initdb -D pg -A trust -U postgres >/dev/null`,
      'mkdir -p archive sock',
      `printf "archive_mode = on\\narchive_command = 'test ! -f ${root}/archive/%%f && cp %%p ${root}/archive/%%f'\\n" >> pg/postgresql.conf`,
      `${BIN}/pg_ctl -D pg -l pg.log -o "-p ${port} -k ${root}/sock -c listen_addresses=127.0.0.1" -w -s start`,
      `q() { ${BIN}/psql -X -h ${root}/sock -p ${port} -U postgres -Atq -v ON_ERROR_STOP=1 -c "$1"; }`,
      'q "create table t (id int); insert into t select generate_series(1, 100)"',
      `${BIN}/pg_basebackup -h ${root}/sock -p ${port} -U postgres -D backup -Fp -Xs -c fast`,
      'q "insert into t select generate_series(101, 200)"',
      'seg=$(q "select pg_walfile_name(pg_current_wal_lsn())"); q "select pg_switch_wal()" >/dev/null',
      'for i in $(seq 1 200); do [ -f "archive/$seg" ] && break; sleep 0.05; done; [ -f "archive/$seg" ]',
      `${BIN}/pg_ctl -D pg -m fast -w -s stop`,
      // The damaged copy: the archive without the segment holding rows 101-200.
      'cp -a archive archive-short && rm "archive-short/$seg"',
    ].join('\n');
    as('bash', ['-c', script]);
    for (const [name, archive] of [['intact', 'archive'], ['short', 'archive-short']] as const) {
      const file = path.join(root, `${name}.yaml`);
      writeFileSync(file, `name: ${name}\nobjectives: { rto: 5m, rpo: 1h }\nsource:\n  basebackup: { path: ${root}/backup, walArchive: ${root}/${archive} }\nverify:\n  - sql: select count(*) from t\n    expect: "200"\n`, { mode: 0o644 });
    }
  });

  after(() => {
    try {
      as(`${BIN}/pg_ctl`, ['-D', path.join(root, 'pg'), '-m', 'immediate', '-w', '-s', 'stop'], true);
    } catch {
      // stopped already
    }
  });

  it('the intact archive passes with every row, the short one fails at the missing segment; read-only by bubblewrap; nothing written, nothing left', async () => {
    const userPaths = ['backup', 'archive', 'archive-short'].map((p) => path.join(root, p));
    const before = { files: hashes(...userPaths), folders: folders(...userPaths) };
    const out = path.join(root, 'out');
    const work = path.join(root, 'work');
    for (const d of [out, work]) {
      mkdirSync(d);
      if (asRoot) chownSync(d, user.uid, user.gid);
    }
    const run = await runCli(['run', path.join(root, 'intact.yaml'), path.join(root, 'short.yaml'), '--provider', 'local', '--out', out], { env: { PGDRILL_WORK_DIR: work }, as: user });
    expect(run.code, run.stderr).to.equal(1);
    const runDir = readdirSync(out, { withFileTypes: true }).find((e) => e.isDirectory())?.name ?? '';
    const result = (name: string): DrillResult => resultSchema.parse(JSON.parse(readFileSync(path.join(out, runDir, name, 'result.json'), 'utf8')));
    const intact = result('intact');
    const short = result('short');
    expect(intact.status, intact.diagnosis ?? '').to.equal('passed');
    expect(intact.checks.find((c) => c.name === 'select count(*) from t')?.status).to.equal('passed');
    expect(short.status).to.equal('failed');
    expect(short.checks.find((c) => c.name === 'select count(*) from t')?.detail).to.contain('"100"');
    for (const r of [intact, short]) expect(r.readOnly).to.deep.include({ enforced: true, how: 'bubblewrap' });
    expect({ files: hashes(...userPaths), folders: folders(...userPaths) }).to.deep.equal(before);
    expect(workFoldersLeft(work)).to.deep.equal([]);
    expect(postgresProcessesUnder(work)).to.deep.equal([]);
  });
});
