// Drills of backups pgdrill did not make: a production-like cluster built outside pgdrill's code (configuration
// in /etc style, a tablespace, production-sized settings, a gzipped WAL archive, pg_basebackup -Ft -z, pgBackRest,
// Barman), restored read-only into a sandbox. The user's files are hashed before and after: byte for byte the same.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { onlyResult, postgresProcessesUnder, runCli, testFolders, workFoldersLeft } from '../test-support/cli.js';
import { productionCluster, type ProductionCluster } from '../test-support/production-cluster.js';
import { hashes } from '../test-support/file-hashes.js';
import { fakeSlack } from '../test-support/fake-slack.js';

describe('drills of existing backups (a production-like cluster, real tools)', function () {
  this.timeout(240_000);
  const { work } = testFolders();
  let prod: ProductionCluster;
  let expectedOrders = '';

  before(async () => {
    prod = await productionCluster(path.join(work, 'prod'));
    expectedOrders = prod.psql('select count(*) from orders').trim();
  });
  after(() => {
    prod?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  function drillFile(name: string, body: string): string {
    const file = path.join(work, `${name}.yaml`);
    writeFileSync(file, `name: ${name}\nobjectives: { rto: 5m, rpo: 2m }\n${body}`);
    return file;
  }

  /** Runs a drill of `source` (YAML lines) with the usual checks (every order back, events readable): exit 0, passed. */
  async function passedDrill(name: string, source: string) {
    const out = path.join(work, `out-${name}`);
    const file = drillFile(name, `source:\n${source}verify:\n  - sql: select count(*) from orders\n    expect: "${expectedOrders}"\n  - table: events\n`);
    const run = await runCli(['run', file, '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    const r = onlyResult(out);
    expect(r.status, r.diagnosis).to.equal('passed');
    return { run, r };
  }

  it('basebackup -Ft -z + gzipped WAL archive: restores to the end of the archive, read-only, with overrides and a freshness RPO', async () => {
    const before = hashes(prod.backupDir, prod.archiveDir);
    const out = path.join(work, 'out-basebackup');
    const file = drillFile(
      'prod-basebackup',
      `source:
  basebackup: { path: ${prod.backupDir}, walArchive: ${prod.archiveDir} }
recovery: { target: latest }
verify:
  - sql: select count(*) from orders
    expect: "${expectedOrders}"
  - sql: select count(*) from events where what like 'after backup %'
    expect: "500"
  - table: events
`,
    );
    const run = await runCli(['run', file, '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    const r = onlyResult(out);
    expect(r.status, r.diagnosis).to.equal('passed');
    expect(r.source).to.deep.include({ kind: 'basebackup', pgMajor: 15, label: 'base-1' });
    expect(r.source?.location).to.contain('tar format, gzip');
    expect(r.recovery.reached).to.equal(true);
    expect(r.recovery.target).to.equal('latest');
    // RTO: restore, replay and verification, and the table adds up.
    expect(r.phases.filter((p) => p.inRto).map((p) => p.name)).to.deep.equal(['restore-files', 'wal-replay', 'verify']);
    expect(r.objectives.rtoMet).to.equal(true);
    // Of the replay, the time spent fetching (gunzip out of the archive) is measured apart.
    expect(r.measured.walFilesFetched).to.be.greaterThan(0);
    // The archive is a folder here: its segments were staged ahead of replay (how many the server took depends on timing).
    expect(r.measured.walFilesStaged).to.be.a('number');
    expect(r.measured.walFetchSeconds).to.be.greaterThan(0).and.below(r.measured.walReplaySeconds ?? 0);
    // Freshness: the drill's start minus the newest replayed commit, and named so.
    expect(r.measured.rpoMethod).to.equal('freshness');
    expect(r.freshness?.from).to.equal('server log: last completed transaction');
    expect(r.measured.rpoSeconds).to.be.greaterThan(0).and.below(120);
    // Production settings that cannot run here, each with its original value.
    const o = Object.fromEntries((r.sandbox?.overrides ?? []).map((x) => [x.setting, x]));
    expect(o['shared_buffers']).to.deep.include({ original: '64GB', sandbox: '128MB' });
    expect(o['ssl']).to.deep.include({ original: 'on', sandbox: 'off' });
    expect(o['shared_preload_libraries']).to.deep.include({ original: 'pg_stat_statements,not_installed_ext', sandbox: 'pg_stat_statements' });
    expect(o['archive_mode']).to.deep.include({ sandbox: 'off' });
    expect(r.sandbox?.warnings.join('\n')).to.contain('not_installed_ext not installed here').and.contain('no postgresql.conf');
    expect(r.checks.find((c) => c.name === 'table events readable')?.detail).to.match(/^1500 rows/);
    // Never written: the backup folder and the archive are byte-for-byte the same.
    expect(hashes(prod.backupDir, prod.archiveDir)).to.deep.equal(before);
    expect(postgresProcessesUnder(work).filter((l) => !l.includes(prod.etcDir) && !l.includes(prod.dataDir))).to.deep.equal([]);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('plain basebackup taken with --waldir and a mapped tablespace: the sandbox copies both, writes into neither', async () => {
    const before = hashes(prod.plainBackupDir, prod.plainWalDir, prod.plainTablespaceDir, prod.archiveDir);
    const { r } = await passedDrill('prod-plain', `  basebackup: { path: ${prod.plainBackupDir}, walArchive: ${prod.archiveDir} }\nrecovery: { target: latest }\n`);
    expect(r.source?.location).to.contain('plain');
    expect(r.recovery.reached).to.equal(true);
    // The server promoted and wrote WAL, and segments were placed in its pg_wal: none of it in the user's folders.
    expect(hashes(prod.plainBackupDir, prod.plainWalDir, prod.plainTablespaceDir, prod.archiveDir)).to.deep.equal(before);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  for (const set of ['latest', 'oldest'] as const) {
    it(`pgBackRest stanza through the user's own config, ${set} backup (${set === 'latest' ? 'incremental' : 'full'}): every archived commit back, the repository untouched`, async () => {
      const before = hashes(prod.repoDir, prod.etcDir);
      const { run, r } = await passedDrill(`prod-pgbackrest-${set}`, `  pgbackrest: { stanza: ${prod.stanza}, config: ${prod.pgbackrestConf}, set: ${set} }\n`);
      expect(r.source?.kind).to.equal('pgbackrest');
      expect(r.source?.chosenBy).to.equal(set);
      expect(run.stderr).to.contain(`backup ${r.source?.label} (PostgreSQL 15), chosen: ${set}`);
      expect(r.source?.available).to.have.length(2);
      expect(r.source?.label).to.equal(set === 'latest' ? r.source?.available[1] : r.source?.available[0]);
      expect(r.source?.label).to.match(set === 'latest' ? /I$/ : /F$/);
      expect(r.recovery.target).to.equal('latest');
      expect(r.recovery.settings['restore_command']).to.contain('archive-get').and.contain(`--config=${prod.pgbackrestConf}`);
      expect(r.environment.toolVersions['pgbackrest']).to.match(/^pgBackRest 2\./);
      expect(r.measured.rpoMethod).to.equal('freshness');
      // The user's [global:restore] process-max=2, as pgBackRest itself reported running with it.
      expect(r.measured.restoreProcesses).to.equal(2);
      expect(hashes(prod.repoDir, prod.etcDir)).to.deep.equal(before);
      expect(workFoldersLeft(work)).to.deep.equal([]);
    });
  }

  it('Barman server through the user\'s own barman.conf (server in barman.d): barman check and status first, recover with the tablespace remapped, WAL through get-wal, barman_home untouched', async () => {
    const before = hashes(prod.barmanHome, prod.etcDir);
    const folders = () => execFileSync('find', [prod.barmanHome, '-type', 'd'], { encoding: 'utf8' }).split('\n').sort();
    const foldersBefore = folders();
    const out = path.join(work, 'out-barman');
    const file = drillFile(
      'prod-barman',
      `source:
  barman: { server: ${prod.barmanServer}, config: ${prod.barmanConf} }
verify:
  - sql: select count(*) from orders
    expect: "${expectedOrders}"
  - sql: select count(*) from events where what like 'after backup %'
    expect: "500"
`,
    );
    const run = await runCli(['run', file, '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    const r = onlyResult(out);
    expect(r.status, r.diagnosis).to.equal('passed');
    expect(r.source).to.deep.include({ kind: 'barman', pgMajor: 15, chosenBy: 'latest' });
    expect(r.source?.label).to.match(/^\d{8}T\d{6}$/);
    expect(r.source?.location).to.contain(`Barman server ${prod.barmanServer}`).and.contain('backup_method postgres');
    expect(r.environment.toolVersions['barman']).to.match(/^3\./);
    expect(r.recovery.reached).to.equal(true);
    expect(r.recovery.settings['restore_command']).to.match(/\( barman -c \S+\/barman\/barman\.conf get-wal prod %f > %p \)/);
    // The tablespace went into the work folder, never to the source host's path.
    const recover = r.commands.find((c) => c.label === 'barman-recover')?.command ?? '';
    expect(recover).to.match(/--tablespace fast:\S+\/tablespaces\/fast /).and.not.contain(prod.tablespaceDir);
    expect(r.measured.rpoMethod).to.equal('freshness');
    // The pipeline first: barman check (each failing check named, with a fix) and barman status.
    const pipeline = Object.fromEntries((r.pipeline ?? []).map((f) => [f.check, f]));
    expect(pipeline['barman status']?.detail).to.match(/^\d+ backup\(s\), first \d{8}T\d{6}, last \d{8}T\d{6}; minimum redundancy satisfied/);
    const barmanChecks = (r.pipeline ?? []).filter((f) => f.check.startsWith('barman check'));
    expect(barmanChecks.length).to.be.greaterThan(0);
    for (const f of barmanChecks.filter((x) => x.status !== 'passed')) expect(f.fix).to.contain(`barman check ${prod.barmanServer}`);
    expect(r.commands.map((c) => c.label)).to.include.members(['barman-check', 'barman-status']);
    // Barman's home (locks, log, incoming and streaming folders included) and the configuration: the same bytes,
    // and no folder created (barman check creates missing server folders: pgdrill runs it only when none is).
    expect(hashes(prod.barmanHome, prod.etcDir)).to.deep.equal(before);
    expect(folders()).to.deep.equal(foldersBefore);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('discover writes one drill per pgBackRest stanza and Barman server that runs as written; --backup oldest overrides the choice', async () => {
    const dir = path.join(work, 'discovered');
    const d = await runCli(['discover', '--pgbackrest', prod.pgbackrestConf, '--barman', prod.barmanConf, '--dir', dir]);
    expect(d.code, d.stderr).to.equal(0);
    expect(readdirSync(dir).sort()).to.deep.equal([`barman-${prod.barmanServer}.yaml`, `pgbackrest-${prod.stanza}.yaml`]);
    expect(readFileSync(path.join(dir, `barman-${prod.barmanServer}.yaml`), 'utf8')).to.contain(`barman: { server: ${prod.barmanServer}, config: ${prod.barmanConf}, backup: latest }`).and.contain('production cluster');
    expect((await runCli(['validate', ...readdirSync(dir).map((f) => path.join(dir, f))])).code).to.equal(0);
    // Never overwritten without --force.
    const again = await runCli(['discover', '--pgbackrest', prod.pgbackrestConf, '--dir', dir]);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.contain('would overwrite');
    const out = path.join(work, 'out-discovered');
    const run = await runCli(['run', path.join(dir, `pgbackrest-${prod.stanza}.yaml`), '--backup', 'oldest', '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    const r = onlyResult(out);
    expect(r.status, r.diagnosis).to.equal('passed');
    expect(r.source?.chosenBy).to.equal('oldest');
    expect(r.source?.label).to.match(/F$/);
    const refused = await runCli(['run', path.join(dir, `pgbackrest-${prod.stanza}.yaml`), 'drills/quickstart.yaml', '--backup', 'random', '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(/drills\/quickstart\.yaml: (--provider local )?--backup random on the command line: --backup chooses among the backups of a pgBackRest stanza or a Barman server/);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('pg_dump -Fc and pg_dumpall files: loaded into a fresh instance, checks in the dump\'s database, RPO from the dump\'s time', async () => {
    const before = hashes(path.dirname(prod.customDump));
    const custom = drillFile('prod-dump', `source:\n  dump: { path: ${prod.customDump} }\nverify:\n  - sql: select sum(amount) from invoices\n    expect: "45150"\n  - table: invoices\n`);
    const out = path.join(work, 'out-dump');
    const run = await runCli(['run', custom, '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    const r = onlyResult(out);
    expect(r.status, r.diagnosis).to.equal('passed');
    expect(r.source?.location).to.contain('pg_dump custom format, database app');
    expect(r.recovery.target).to.equal('immediate');
    expect(r.measured.rpoMethod).to.equal('dump-time');
    expect(r.phases.filter((p) => p.inRto).map((p) => p.name)).to.deep.equal(['restore-files', 'logical-restore', 'verify']);

    const all = drillFile('prod-dumpall', `source:\n  dump: { path: ${prod.dumpallFile} }\nverify:\n  - sql: select count(*) from orders\n    expect: "${expectedOrders}"\n`);
    const outAll = path.join(work, 'out-dumpall');
    const runAll = await runCli(['run', all, '--out', outAll], { env: { PGDRILL_WORK_DIR: work } });
    expect(runAll.code, runAll.stderr).to.equal(0);
    const rAll = onlyResult(outAll);
    expect(rAll.source?.location).to.contain('pg_dumpall');
    // Its CREATE TABLESPACE pointed at the source host's path: the sandbox loaded a copy pointing into the work folder.
    expect(rAll.commands.find((c) => c.label === 'psql-load-dump')?.command).to.contain('dump-load.sql').and.not.contain(prod.dumpallFile);
    expect(hashes(path.dirname(prod.customDump))).to.deep.equal(before);
    const pit = drillFile('dump-pit', `source:\n  dump: { path: ${prod.customDump} }\nrecovery: { target: latest }\n`);
    const refused = await runCli(['run', pit, '--out', path.join(work, 'out-pit')], { env: { PGDRILL_WORK_DIR: work } });
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.contain('a dump holds no WAL, so it cannot recover to a point in time (latest)');
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('a backup of a major version with no binaries here: exit 3 naming every way to get them, nothing started', async function () {
    const fake = path.join(work, 'pg17-backup');
    mkdirSync(fake);
    cpSync(path.join(prod.root, 'README'), path.join(fake, 'README'));
    writeFileSync(path.join(fake, 'PG_VERSION'), '17\n');
    const out = path.join(work, 'out-17');
    const run = await runCli(['run', drillFile('pg17', `source:\n  basebackup: { path: ${fake} }\n`), '--out', out], { env: { PGDRILL_WORK_DIR: work, PG_BIN_17: '', PGDRILL_CACHE_DIR: path.join(work, 'empty-cache') } });
    if (run.stderr.includes('PostgreSQL 17 server binaries for')) this.skip(); // this machine has PostgreSQL 17
    expect(run.code, run.stderr).to.equal(3);
    const r = onlyResult(out);
    expect(r.error?.message).to.contain('PostgreSQL 17 binaries not found');
    expect(r.error?.suggestion).to.contain('PG_BIN_17').and.contain('apt-get install postgresql-17').and.contain('npx pgdrill postgres install 17');
    expect(r.phases.map((p) => p.name)).not.to.include('restore-files');
  });

  it('too little disk for the restore: exit 3 with both numbers and the --work-dir hint, before anything is written', async function () {
    if (process.getuid?.() !== 0) this.skip(); // a small filesystem needs mount (root)
    const small = path.join(work, 'small-disk');
    mkdirSync(small, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0755', 'tmpfs', small]);
    try {
      const out = path.join(work, 'out-small');
      const file = drillFile('small-disk', `source:\n  pgbackrest: { stanza: ${prod.stanza}, config: ${prod.pgbackrestConf} }\n`);
      const run = await runCli(['run', file, '--out', out], { env: { PGDRILL_WORK_DIR: small } });
      expect(run.code, run.stderr).to.equal(3);
      const r = onlyResult(out);
      expect(r.error?.message).to.match(/^not enough disk to restore backup \S+: it needs about \d+ MiB .* and the work folder \S+ has \d+ MiB free$/);
      expect(r.error?.suggestion).to.contain('--work-dir');
      expect(r.phases.map((p) => p.name)).not.to.include('restore-files');
      expect(readdirSync(small)).to.deep.equal([]);
    } finally {
      execFileSync('umount', [small]);
    }
  });

  it('refuses mixed sections and impossible targets before anything starts (exit 2, file:line)', async () => {
    const file = drillFile('mixed', `source:\n  basebackup: { path: ${prod.backupDir} }\nincident: { kind: drop-table, table: orders }\n`);
    const run = await runCli(['run', file, '--out', path.join(work, 'out-mixed')], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(2);
    expect(run.stderr).to.contain(`${file}:5: incident: incident belongs to drills that build their own primary`);
    const noWal = drillFile('no-wal-time', `source:\n  basebackup: { path: ${prod.backupDir} }\nrecovery: { target: time, at: 2026-11-24T00:00:00Z }\n`);
    const refused = await runCli(['run', noWal, '--out', path.join(work, 'out-mixed')], { env: { PGDRILL_WORK_DIR: work } });
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.stderr).to.contain(`${noWal}:5: recovery.target: without source.basebackup.walArchive only the backup itself can be restored (time)`);
    const missing = drillFile('missing', `source:\n  basebackup: { path: ./no-such-backup, walArchive: ${prod.archiveDir} }\n`);
    const notFound = await runCli(['run', missing, '--out', path.join(work, 'out-mixed')], { env: { PGDRILL_WORK_DIR: work } });
    expect(notFound.code).to.equal(2);
    expect(notFound.stderr).to.contain(`${missing}:4: source.basebackup.path: ./no-such-backup not found (looked at ${path.join(work, 'no-such-backup')})`);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  describe('live: markers on the source and a simulated loss of the primary (a measured RPO)', () => {
    const password = 'S3cret-marker-pw-' + Math.random().toString(36).slice(2);
    let env: Record<string, string>;
    before(() => {
      // What the README asks of a DBA: pgdrill's table, and a role that may only write and read it (and switch WAL).
      prod.psql(`create schema pgdrill; create table pgdrill.marker (drill text not null, seq integer not null, written_at timestamptz not null default clock_timestamp(), primary key (drill, seq))`);
      prod.psql(`create role pgdrill_marker login password '${password}'; grant usage on schema pgdrill to pgdrill_marker; grant insert, select on pgdrill.marker to pgdrill_marker; grant execute on function pg_switch_wal() to pgdrill_marker`);
      prod.requirePassword('pgdrill_marker');
      env = { PGDRILL_WORK_DIR: work, SOURCE_DATABASE_URL: `postgresql://pgdrill_marker:${password}@127.0.0.1:${prod.port}/postgres` };
    });
    after(() => archiveTimeout(undefined));

    function archiveTimeout(value: string | undefined): void {
      prod.psql(value ? `alter system set archive_timeout = '${value}'` : 'alter system reset archive_timeout');
      prod.psql('select pg_reload_conf()');
    }

    /** Every file that existed before is byte-for-byte the same (the live cluster itself keeps adding WAL). */
    function unchanged(before: Record<string, string>, after: Record<string, string>): void {
      const changed = Object.keys(before).filter((f) => after[f] !== before[f]);
      expect(changed).to.deep.equal([]);
    }

    function noSecretIn(dir: string): void {
      const leaks = Object.keys(hashes(dir)).filter((f) => readFileSync(f).includes(password));
      expect(leaks).to.deep.equal([]);
    }

    it('archive_timeout 3s, heartbeat 1s (pgBackRest): the loss right after the last marker costs what archiving had not shipped, in (0, 3s + 1s + archiving latency]', async () => {
      archiveTimeout('3s');
      const before = hashes(prod.repoDir, prod.etcDir);
      const out = path.join(work, 'out-live');
      const file = drillFile('prod-live', `source:\n  pgbackrest: { stanza: ${prod.stanza}, config: ${prod.pgbackrestConf} }\n  live: { conninfo: env:SOURCE_DATABASE_URL, runFor: 8s, heartbeat: 1s }\nverify:\n  - table: orders\n`);
      const run = await runCli(['run', file, '--out', out], { env });
      expect(run.code, run.stderr).to.equal(0);
      const r = onlyResult(out);
      expect(r.status, r.diagnosis).to.equal('passed');
      expect(r.measured.rpoMethod).to.equal('markers');
      expect(r.live).to.deep.include({ mode: 'archive-at-loss', failedWrites: 0, database: 'postgres' });
      expect(r.live?.markersWritten).to.be.within(7, 9);
      // Some markers were lost (their WAL had not reached the repository), never more than archive_timeout + heartbeat
      // + the time archive_command takes (gzip and archive-push, here well under 2 s).
      expect(r.measured.lostMarkers).to.be.greaterThan(0);
      expect(r.measured.rpoSeconds).to.be.greaterThan(0).and.at.most(3 + 1 + 2);
      expect(r.markers.newestRecovered?.id).to.equal((r.markers.lastPreIncident?.id ?? 0) - (r.measured.lostMarkers ?? 0));
      // The recovery read no segment newer than the one the repository held at the loss.
      expect(r.recovery.settings['restore_command']).to.contain(`[ "%f" \\> "${r.live?.segmentAtLoss}" ] && exit 1`).and.contain('archive-get');
      unchanged(before, hashes(prod.repoDir, prod.etcDir));
      noSecretIn(out);
      expect(workFoldersLeft(work)).to.deep.equal([]);
    });

    it('switchWal (base backup and gzipped archive): the planned case loses nothing, every marker is back', async () => {
      archiveTimeout(undefined);
      const before = hashes(prod.backupDir, prod.archiveDir);
      const out = path.join(work, 'out-live-switch');
      const file = drillFile('prod-live-switch', `source:\n  basebackup: { path: ${prod.backupDir}, walArchive: ${prod.archiveDir} }\n  live: { conninfo: env:SOURCE_DATABASE_URL, runFor: 3s, heartbeat: 500ms, switchWal: true }\n`);
      const run = await runCli(['run', file, '--out', out], { env });
      expect(run.code, run.stderr).to.equal(0);
      const r = onlyResult(out);
      expect(r.status, r.diagnosis).to.equal('passed');
      expect(r.live?.mode).to.equal('switch-wal');
      expect(r.phases.map((p) => p.name)).to.include.members(['live-markers', 'switch-wal']);
      expect(r.phases.filter((p) => p.inRto).map((p) => p.name)).to.deep.equal(['restore-files', 'wal-replay', 'verify']);
      expect(r.measured.lostMarkers).to.equal(0);
      expect(r.measured.rpoSeconds).to.equal(0);
      expect(r.markers.newestRecovered?.id).to.equal(r.live?.markersWritten);
      unchanged(before, hashes(prod.backupDir, prod.archiveDir));
      noSecretIn(out);
    });

    it('pgdrill check: the pipeline against the objectives, nothing restored; archive_timeout, a failing archive_command, a stale backup, an idle slot', async () => {
      const check = (name: string, objectives: string, extra: string[] = []) => {
        const file = path.join(work, `${name}.yaml`);
        writeFileSync(file, `name: ${name}\nobjectives: ${objectives}\nsource:\n  pgbackrest: { stanza: ${prod.stanza}, config: ${prod.pgbackrestConf} }\n  live: { conninfo: env:SOURCE_DATABASE_URL }\n`);
        return runCli(['check', file, '--json', ...extra], { env });
      };
      const findings = (stdout: string) => Object.fromEntries((JSON.parse(stdout) as Array<{ findings: Array<{ check: string; status: string; detail: string; fix?: string }> }>)[0]?.findings.map((f) => [f.check, f]) ?? []);
      archiveTimeout('1min');
      const healthy = await check('check-healthy', '{ rto: 15m, rpo: 5m, maxBackupAge: 1d }');
      expect(healthy.code, healthy.stderr).to.equal(0);
      const h = findings(healthy.stdout);
      expect(h['pgBackRest stanza']?.status).to.equal('passed');
      expect(h['archive_timeout vs RPO']).to.deep.include({ status: 'passed', detail: 'archive_timeout = 1m <= RPO objective 5m' });
      expect(h['newest backup age']?.status).to.equal('passed');
      expect(h['data checksums']?.status).to.equal('passed');
      // Barman's slot, its receive-wal stopped: a warning with the WAL it holds, not a failure.
      expect(h['replication slots']?.status).to.equal('warning');
      expect(h['replication slots']?.detail).to.match(/barman_prod \(\d+(\.\d+)? (bytes|kB|MB)\)/);
      expect(workFoldersLeft(work)).to.deep.equal([]);

      // The same outputs as a run: JUnit (a failed finding fails its test case) and Slack (only on failure here).
      const slack = await fakeSlack();
      const junit = path.join(work, 'check-junit.xml');
      const quiet = await check('check-quiet', '{ rto: 15m, rpo: 5m, maxBackupAge: 1d }', ['--slack-webhook', slack.url, '--notify', 'failure']);
      expect(quiet.code, quiet.stderr).to.equal(0);
      expect(slack.requests, 'nothing failed: no message').to.have.length(0);

      archiveTimeout('10min');
      const slow = await check('check-timeout', '{ rto: 15m, rpo: 5m, maxBackupAge: 1s }', ['--junit', junit, '--slack-webhook', slack.url, '--notify', 'failure']);
      await slack.close();
      expect(slow.code).to.equal(1);
      const xml = readFileSync(junit, 'utf8');
      expect(xml).to.match(/<testcase classname="pgdrill\.check\.check-timeout" name="archive_timeout vs RPO"[^>]*>\s*<failure message="FAILED: archive_timeout = 10m is longer than the RPO objective 5m/);
      expect(xml).to.match(/name="data checksums"[^>]*>\s*<system-out>/);
      expect(slack.requests).to.have.length(1);
      const posted = JSON.stringify(slack.requests[0]?.body);
      expect(posted).to.contain('pgdrill check: ').and.contain('FAILED').and.contain('archive_timeout vs RPO').and.contain('fix: ');
      expect(posted).to.not.contain('secretWebhookToken42');
      const t = findings(slow.stdout);
      expect(t['archive_timeout vs RPO']?.status).to.equal('failed');
      expect(t['archive_timeout vs RPO']?.detail).to.contain('archive_timeout = 10m is longer than the RPO objective 5m');
      expect(t['archive_timeout vs RPO']?.fix).to.contain('archive_timeout = 5m');
      expect(t['newest backup age']?.status).to.equal('failed');
      expect(slow.stderr).to.contain('FAIL archive_timeout vs RPO');

      // An archive_command that fails: the archiver's failure count and the segment it is stuck on.
      const command = prod.psql(`show archive_command`).trim();
      prod.psql(`alter system set archive_command = 'false'`);
      prod.psql('select pg_reload_conf()');
      try {
        prod.psql(`insert into orders values (999999, 1)`);
        const stuck = prod.psql('select pg_walfile_name(pg_current_wal_lsn())').trim();
        prod.psql('select pg_switch_wal()');
        for (let i = 0; i < 100 && Number(prod.psql('select failed_count from pg_stat_archiver').trim()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
        const broken = await check('check-broken', '{ rto: 15m, rpo: 5m }');
        expect(broken.code).to.equal(1);
        const b = findings(broken.stdout);
        expect(b['archiver']?.status).to.equal('failed');
        expect(b['archiver']?.detail).to.match(new RegExp(`archiving is failing: \\d+ failure\\(s\\) so far, the last for segment ${stuck}`));
      } finally {
        prod.psql(`alter system set archive_command = '${command.replace(/'/g, "''")}'`);
        prod.psql('select pg_reload_conf()');
        prod.psql('delete from orders where id = 999999');
      }
      expect(workFoldersLeft(work)).to.deep.equal([]);
    });

    it('refuses a conninfo written in the file, live with a dump, and an unset variable (exit 2, file:line)', async () => {
      const literal = drillFile('live-literal', `source:\n  basebackup: { path: ${prod.backupDir}, walArchive: ${prod.archiveDir} }\n  live: { conninfo: "postgresql://u:pw@h/db" }\n`);
      const a = await runCli(['validate', literal], { env });
      expect(a.code).to.equal(2);
      expect(a.stderr).to.contain(`${literal}:5: source.live.conninfo: write env:NAME`);
      const dump = drillFile('live-dump', `source:\n  dump: { path: ${prod.customDump} }\n  live: { conninfo: env:SOURCE_DATABASE_URL }\n`);
      const b = await runCli(['validate', dump], { env });
      expect(b.code).to.equal(2);
      expect(b.stderr).to.contain('a measured RPO needs the WAL archive');
      const unset = drillFile('live-unset', `source:\n  basebackup: { path: ${prod.backupDir}, walArchive: ${prod.archiveDir} }\n  live: { conninfo: env:NO_SUCH_PGDRILL_VAR }\n`);
      const c = await runCli(['run', unset, '--out', path.join(work, 'out-unset')], { env });
      expect(c.code).to.equal(2);
      expect(c.stderr).to.contain(`${unset}:5: source.live.conninfo: NO_SUCH_PGDRILL_VAR is not set in the environment`);
    });
  });
});
