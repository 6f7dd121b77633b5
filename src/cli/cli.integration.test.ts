// The CLI as users run it, on real PostgreSQL 15 servers: each exit code, the verdict line, the files written,
// and that no server or work folder of pgdrill's survives success, failure, bad input or SIGINT.
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { totalmem } from 'node:os';
import { resultSchema, summarySchema, type DrillResult } from '../model/result-schema.js';
import { postgresProcessesUnder, ROOT, runCli, testFolders, workFoldersLeft } from '../test-support/cli.js';
import { writeDrill } from '../test-support/drill-files.js';

function onlyRun(out: string): string {
  const runs = readdirSync(out, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  expect(runs, 'one run folder').to.have.length(1);
  expect(existsSync(path.join(out, 'index.html')), 'history page').to.equal(true);
  return path.join(out, runs[0] as string);
}

function readResult(runDir: string, drill: string): DrillResult {
  return resultSchema.parse(JSON.parse(readFileSync(path.join(runDir, drill, 'result.json'), 'utf8')));
}

function expectNothingLeft(work: string): void {
  expect(postgresProcessesUnder(work), 'postgres processes left').to.deep.equal([]);
  expect(workFoldersLeft(work), 'work folders left').to.deep.equal([]);
}

describe('pgdrill run (CLI, real Postgres)', function () {
  this.timeout(180_000);
  // Each test's folders; the test run removes them all at its end (test-support/temp-dirs.ts).
  const fresh = testFolders;

  it('objectives.forecast: the RTO at production size from this drill\'s measured rates, with its assumptions, in result.json and the report', async () => {
    const { out, work } = fresh();
    const file = path.join(work, 'forecast.yaml');
    const quickstart = readFileSync(path.join(ROOT, 'drills', 'quickstart.yaml'), 'utf8').replace(/\.\.\/fixtures/g, path.join(ROOT, 'fixtures'));
    writeFileSync(file, quickstart.replace('objectives: { rto: 2m, rpo: 5s }', 'objectives: { rto: 2m, rpo: 5s, forecast: { size: 50GB, walPerHour: 2GB, backupEvery: 12h } }'));
    const run = await runCli(['run', file, '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    const r = readResult(onlyRun(out), 'quickstart-drop-table');
    const f = r.forecast!;
    const phase = (n: string) => r.phases.find((p) => p.name === n)?.seconds ?? 0;
    expect(f.sizeBytes).to.equal(50e9);
    const m = r.measured;
    // The restore scales at its copy's rate (the phase's longest command), its set-up counted once.
    const restored = (m.restoreFilesBytesPerSecond ?? 0) * phase('restore-files');
    const copy = m.restoreCopySeconds ?? 0;
    expect(copy).to.be.greaterThan(0).and.at.most(phase('restore-files'));
    // 50 GB larger than this machine's memory: no faster than the disk writes (measured after verification).
    const disk = m.diskWriteBytesPerSecond ?? 0;
    expect(disk).to.be.greaterThan(1e6);
    const copyRate = restored / copy;
    const rateAtSize = 50e9 > totalmem() ? Math.min(copyRate, disk) : copyRate;
    expect(f.restoreSeconds).to.be.closeTo(50e9 / rateAtSize, 1e-6);
    if (50e9 > totalmem() && disk < copyRate) expect(f.assumptions[0]).to.contain("restored at the disk's rate");
    expect(f.replaySeconds).to.be.closeTo((2e9 * 12) / (m.walReplayBytesPerSecond ?? 1), 1e-6);
    // The checks that read the tables (fingerprints, the drill's queries) grow with the data; the rest does not.
    const data = m.verifyDataSeconds ?? 0;
    expect(data).to.be.greaterThan(0).and.below(phase('verify'));
    expect(f.verifySeconds).to.be.closeTo((data * 50e9) / restored, 1e-6);
    expect(f.fixedSeconds).to.be.closeTo((m.rtoSeconds ?? 0) - copy - phase('wal-replay') - data, 1e-6);
    // The replay phase as the server log splits it: each part inside it, redo (WAL was replayed) not empty.
    const split = m.walReplaySplit!;
    expect(split.redoSeconds).to.be.greaterThan(0);
    expect(split.startupSeconds + split.redoSeconds + split.endSeconds).to.be.at.most(phase('wal-replay'));
    expect(f.rtoSeconds).to.be.closeTo(f.restoreSeconds + f.replaySeconds + (f.verifySeconds ?? 0) + f.fixedSeconds, 1e-6);
    expect(f.withinObjective).to.equal(f.rtoSeconds <= 120);
    expect(f.assumptions.join('\n')).to.contain('24 GB of WAL (2.0 GB/h over 12h');
    // An estimate never changes the verdict.
    expect(r.status).to.equal('passed');
    const html = readFileSync(path.join(out, r.runId, 'quickstart-drop-table', 'report.html'), 'utf8');
    expect(html).to.contain('Forecast at production size').and.contain('An estimate, not a measurement');
    // The disk the restore wrote to, measured outside the RTO, shown beside the restore's rate.
    expect(r.phases.find((p) => p.name === 'disk-probe')?.inRto).to.equal(false);
    expect(html).to.contain('the disk writes').and.contain('id="replay-split"');
    expectNothingLeft(work);
  });

  it('long phases print progress on stderr: bytes done of the total, rate and time left, from the server, the restore, the integrity pass and the report pg_checksums writes itself (plain lines off a TTY)', async () => {
    const { out, work } = fresh();
    const file = path.join(work, 'progress.yaml');
    writeFileSync(file, 'name: progress\nobjectives: { rto: 5m, rpo: 5s }\nprovider: local\nworkload: { pgbench: { scale: 10 }, heartbeat: 200ms }\nincident: { kind: delete-rows, table: pgbench_accounts, where: "aid % 10 = 0" }\nverify:\n  - sql: select count(distinct abalance) > 0 from pgbench_accounts\n    expect: "true"\n');
    // Every 50 ms instead of 5 s, so phases of well under a second at this size still report.
    const run = await runCli(['run', file, '--out', out], { env: { PGDRILL_WORK_DIR: work, PGDRILL_PROGRESS_SECONDS: '0.05' } });
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stderr.split('\n');
    const sized = /^\[\s*\d+\.\d+s\] (\S+) ([\d.]+ [kMG]B) of ([\d.]+ [kMG]B) \((\d+)%\), [\d.]+ [kMG]B\/s, (about \S+ left|finishing|starting)$/;
    const progress = lines.map((l) => sized.exec(l)).filter((m): m is RegExpExecArray => m !== null);
    // pg_stat_progress_basebackup during the backup (about 190 MB), the WAL fetched against what the target needs.
    expect(progress.filter((m) => m[1] === 'base-backup').length, run.stderr).to.be.at.least(1);
    expect(progress.filter((m) => m[1] === 'wal-replay').length, run.stderr).to.be.at.least(1);
    // The integrity pass: bytes of the tables read so far, against all of them.
    expect(progress.filter((m) => m[1] === 'integrity').length, run.stderr).to.be.at.least(1);
    // Verification: what the server read for the drill's query, against the table EXPLAIN says it scans
    // (pgbench_accounts at scale 10, 13x MB; later lines may grow past it with the fingerprints' reads).
    const verify = progress.filter((m) => m[1] === 'verify');
    expect(verify.length, run.stderr).to.be.at.least(1);
    expect(verify[0]?.[3], run.stderr).to.match(/^1[23]\d\.\d MB$/);
    // pg_checksums over the stopped copy: its own --progress report (it prints one as it starts), all files' MB.
    const checksums = progress.filter((m) => m[1] === 'checksums');
    expect(checksums.length, run.stderr).to.be.at.least(1);
    expect(checksums.at(-1)?.[3], run.stderr).to.match(/^\d+\.\d MB$/);
    for (const m of progress) expect(Number(m[4])).to.be.within(0, 100);
    expect(run.stderr).not.to.contain('\u001b[');
    // About ten segments of WAL to replay: after the first, the server takes them from the staging folder.
    const r = readResult(onlyRun(out), 'progress');
    expect(r.measured.walFilesStaged, JSON.stringify(r.measured)).to.be.at.least(1).and.at.most(r.measured.walFilesFetched ?? 0);
    expectNothingLeft(work);
  });

  it('runs the quickstart drill: exit 0, PASSED verdict, RPO within the heartbeat, result files, nothing left', async () => {
    const { out, work } = fresh();
    const run = await runCli(['run', 'drills/quickstart.yaml', '--out', out, '--json'], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.match(/PASSED quickstart-drop-table {2}RTO \S+ \(objective 2m\) {2}RPO \S+ \(objective 5s\)/);
    for (const phase of ['provision-primary', 'base-backup', 'incident', 'wal-replay', 'verify']) expect(run.stderr).to.contain(`${phase} ok`);

    const summary = summarySchema.parse(JSON.parse(run.stdout));
    expect(summary.exitCode).to.equal(0);
    const runDir = onlyRun(out);
    expect(summary.drills[0]?.result).to.equal(path.join(runDir, 'quickstart-drop-table', 'result.json'));
    const r = readResult(runDir, 'quickstart-drop-table');
    expect(r.status).to.equal('passed');
    // before-incident = exclusive xid target: at most the markers in flight are lost (< 3 heartbeats).
    expect(r.measured.rpoSeconds).to.be.at.least(0).and.below(0.6);
    expect(r.measured.lostMarkers).to.equal(0);
    expect(r.measured.rtoSeconds).to.be.greaterThan(0).and.below(120);
    const rtoPhases = r.phases.filter((p) => p.inRto).map((p) => p.name);
    expect(rtoPhases).to.deep.equal(['archive-wal', 'restore-files', 'wal-replay', 'verify']);
    const rtoSum = r.phases.filter((p) => p.inRto).reduce((s, p) => s + p.seconds, 0);
    expect(r.measured.rtoSeconds).to.be.at.least(rtoSum - 0.001);
    expect(r.recovery.reached).to.equal(true);
    expect(r.recovery.timeline).to.equal(2);
    expect(r.recovery.evidence.join('\n')).to.contain(`recovery stopping before commit of transaction ${r.incident?.xid}`);
    expect(r.recovery.settings).to.include({ archive_mode: 'off', recovery_target_inclusive: 'off', recovery_target_xid: r.incident?.xid });
    expect(r.checks.every((c) => c.status === 'passed'), JSON.stringify(r.checks)).to.equal(true);
    expect(r.checks.map((c) => c.name)).to.include.members(['backup-verified', 'table orders restored', 'last pre-incident marker present']);
    expect(r.measured.walReplayBytes).to.be.greaterThan(0);
    expect(r.environment.postgresVersion).to.match(/^15\./);

    const html = readFileSync(path.join(runDir, 'quickstart-drop-table', 'report.html'), 'utf8');
    expect(html).to.contain('PASSED').and.contain('quickstart-drop-table');
    expect(html).not.to.match(/(src|href)="https?:/);
    expect(existsSync(path.join(runDir, 'quickstart-drop-table', 'logs', 'restore-server.log'))).to.equal(true);
    // The generated password never reaches the evidence.
    const evidence = readdirSync(path.join(runDir, 'quickstart-drop-table', 'logs', 'commands')).map((f) =>
      readFileSync(path.join(runDir, 'quickstart-drop-table', 'logs', 'commands', f), 'utf8'),
    );
    expect(evidence.join('\n')).not.to.match(/PGPASSWORD=\S/);
    expectNothingLeft(work);
  });

  it('the run inside a docker container (--sandboxed) writes the result, its logs and summary.json only: report, history and evidence are the host\'s', async () => {
    const { out, work } = fresh();
    const run = await runCli(['run', 'drills/quickstart.yaml', '--out', out, '--sandboxed', JSON.stringify({ provider: 'local', by: 'the docker provider' })], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    const runs = readdirSync(out);
    expect(runs, 'no history page, one run folder').to.have.length(1);
    const runDir = path.join(out, runs[0] as string);
    expect(readdirSync(runDir).sort(), 'no evidence folder').to.deep.equal(['quickstart-drop-table', 'summary.json']);
    expect(readdirSync(path.join(runDir, 'quickstart-drop-table')).sort(), 'no report.html').to.deep.equal(['logs', 'result.json']);
    expect(readResult(runDir, 'quickstart-drop-table').status).to.equal('passed');
    expectNothingLeft(work);
  });

  it('exits 1 with a diagnosis when a check fails, and still cleans up', async () => {
    const { out, work } = fresh();
    const drill = writeDrill(`name: wrong-expectation
objectives: { rto: 2m, rpo: 5s }
workload: { fixtures: [$FIXTURES/shop.sql] }
incident: { kind: drop-table, table: orders }
verify:
  - name: customers count
    sql: select count(*) from customers
    expect: "101"
`);
    const run = await runCli(['run', drill, '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.contain('FAILED wrong-expectation');
    const r = readResult(onlyRun(out), 'wrong-expectation');
    expect(r.status).to.equal('failed');
    expect(r.diagnosis).to.contain('customers count: returned "100", expected "101"');
    expect(r.recovery.reached).to.equal(true);
    expectNothingLeft(work);
  });

  it('exits 1 when a missed RTO objective is the only problem', async () => {
    const { out, work } = fresh();
    const drill = writeDrill(`name: tight-rto
objectives: { rto: 1ms, rpo: 5s }
workload: { fixtures: [$FIXTURES/shop.sql] }
incident: { kind: drop-table, table: orders }
`);
    const run = await runCli(['run', drill, '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(1);
    const r = readResult(onlyRun(out), 'tight-rto');
    const failed = r.checks.filter((c) => c.status === 'failed').map((c) => c.name);
    expect(failed).to.deep.equal(['RTO objective']);
    expectNothingLeft(work);
  });

  it('exits 2 on a bad drill file with file:line and the fix, and starts nothing', async () => {
    const { out, work } = fresh();
    const drill = writeDrill(`name: bad
objectives: { rto: 7 minutes, rpo: 5s }
incident: { kind: drop-table, table: orders }
recovery: { target: before-incident, wait: 1s }
`);
    const run = await runCli(['run', drill, '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(`${drill}:2: objectives.rto: "7 minutes" is not a duration; write a number with a unit`);
    expect(run.stderr).to.contain(`${drill}:4: recovery.wait: unknown key "wait"`);
    expect(existsSync(out), 'no output folder').to.equal(false);
    expectNothingLeft(work);
  });

  it('exits 2, before any restore, when a time target is before the base backup finished', async () => {
    const { out, work } = fresh();
    const drill = writeDrill(`name: too-early
objectives: { rto: 2m, rpo: 5s }
workload: { fixtures: [$FIXTURES/shop.sql] }
incident: { kind: drop-table, table: orders }
recovery:
  target: time
  at: 2020-01-01 00:00:00+00
`);
    const run = await runCli(['run', drill, '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(2);
    const r = readResult(onlyRun(out), 'too-early');
    expect(r.status).to.equal('error');
    expect(r.error?.message).to.contain(`${drill}:7: recovery.at: time 2020-01-01 00:00:00+00 is before the base backup finished`);
    expect(r.phases.map((p) => p.name)).not.to.include('restore-files');
    expectNothingLeft(work);
  });

  it('runs drills in parallel with --concurrency, each on its own port and folder, with the same verdicts', async () => {
    const { out, work } = fresh();
    const quick = readFileSync(path.join(ROOT, 'drills/quickstart.yaml'), 'utf8').replace(/\.\.\/fixtures/g, '$FIXTURES');
    const a = writeDrill(quick.replace('name: quickstart-drop-table', 'name: parallel-a'));
    const b = writeDrill(quick.replace('name: quickstart-drop-table', 'name: parallel-b'));
    const run = await runCli(['run', a, b, '--out', out, '--concurrency', '2', '--json'], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    const summary = summarySchema.parse(JSON.parse(run.stdout));
    expect(summary.drills.map((d) => [d.drill, d.status])).to.deep.equal([
      ['parallel-a', 'passed'],
      ['parallel-b', 'passed'],
    ]);
    expect(summary.process?.concurrency).to.equal(2);
    // Both drills were in flight at once: their phases overlap in time.
    const [ra, rb] = ['parallel-a', 'parallel-b'].map((d) => readResult(onlyRun(out), d));
    expect(Date.parse(ra?.startedAt ?? '')).to.be.below(Date.parse(rb?.endedAt ?? ''));
    expect(Date.parse(rb?.startedAt ?? '')).to.be.below(Date.parse(ra?.endedAt ?? ''));
    expect(run.stderr).to.contain('[parallel-a] wal-replay ok').and.contain('[parallel-b] wal-replay ok');
    expectNothingLeft(work);
  });

  it('exits 2 on unknown options and 0 for validate on the shipped drills', async () => {
    expect((await runCli(['run', 'drills/quickstart.yaml', '--bogus'])).code).to.equal(2);
    expect((await runCli(['frobnicate'])).code).to.equal(2);
    const all = readdirSync(path.join(ROOT, 'drills')).map((f) => path.join('drills', f));
    const validate = await runCli(['validate', ...all.filter((f) => !f.includes('existing-'))]);
    expect(validate.code, validate.stderr).to.equal(0);
    // The examples of existing backups point at paths a user edits: on this machine, only those are wrong.
    const examples = await runCli(['validate', ...all.filter((f) => f.includes('existing-'))]);
    expect(examples.code).to.equal(2);
    const lines = examples.stderr.trim().split('\n');
    // /etc/barman.conf exists wherever Barman is installed (the setup script installs it).
    expect(lines).to.have.length(existsSync('/etc/barman.conf') ? 4 : 5);
    for (const l of lines) expect(l).to.match(/: source\.\w+\.(config|path|walArchive): \/\S+ not found/);
  });

  it('validate <files> runs from the start-up bundle and says exactly what the CLI says, exit codes included', async () => {
    const { work } = fresh();
    const bad = path.join(work, 'bad.yaml');
    writeFileSync(bad, 'name: x\nobjectives: { rto: 5q, rpo: 5s }\nincident: { kind: drop-table, table: t }\n');
    const cli = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    for (const args of [['validate', 'drills/quickstart.yaml', 'drills/pgbackrest.yaml'], ['validate', bad, 'drills'], ['validate', path.join(work, 'missing.yaml')]]) {
      const fast = await runCli(args);
      const full = cli(args);
      expect([fast.code, fast.stderr], args.join(' ')).to.deep.equal([full.status, full.stderr]);
    }
    expect((await runCli(['validate', bad])).stderr).to.contain(`${bad}:2: objectives.rto: "5q" is not a duration`);
    // bin/pgdrill.js loads the bundle for `validate <files>` only (a stand-in bundle says when it ran), and with no
    // bundle the same command still works through the CLI.
    const bundle = path.join(ROOT, 'dist', 'validate-bundle.js');
    const kept = `${bundle}.kept`;
    renameSync(bundle, kept);
    try {
      writeFileSync(bundle, "process.stderr.write('stand-in bundle\\n');\n");
      expect((await runCli(['validate', 'drills/quickstart.yaml'])).stderr).to.equal('stand-in bundle\n');
      expect((await runCli(['validate', '--help'])).stdout).to.contain('Usage: pgdrill validate');
      rmSync(bundle);
      const slow = await runCli(['validate', 'drills/quickstart.yaml']);
      expect([slow.code, slow.stderr]).to.deep.equal([0, '1 drill file(s) valid\n']);
    } finally {
      renameSync(kept, bundle);
    }
  });

  it('exits 3 with the install command when PostgreSQL binaries are missing', async () => {
    const { out, work } = fresh();
    const run = await runCli(['run', 'drills/quickstart.yaml', '--out', out], { env: { PG_BIN: '/nonexistent', PGDRILL_WORK_DIR: work } });
    expect(run.code).to.equal(3);
    expect(run.stderr).to.contain('PostgreSQL 15 binaries not found').and.contain('apt-get install postgresql-15');
    expectNothingLeft(work);
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`on ${signal} stops the drill, says ${signal}, writes status error, removes every instance and exits ${code}`, async () => {
      const { out, work } = fresh();
      let sent = false;
      const run = await runCli(['run', 'drills/quickstart.yaml', '--out', out], {
        env: { PGDRILL_WORK_DIR: work },
        onStderr: (text, child) => {
          // Interrupt while both the primary and the heartbeat are running.
          if (!sent && text.includes('heartbeat ...')) {
            sent = true;
            child.kill(signal);
          }
        },
      });
      expect(sent).to.equal(true);
      expect(run.code, run.stderr).to.equal(code);
      const r = readResult(onlyRun(out), 'quickstart-drop-table');
      expect(r.status).to.equal('error');
      expect(r.error?.name).to.equal('InterruptedError');
      expect(r.error?.message).to.contain(`interrupted by ${signal}`);
      expectNothingLeft(work);
    });
  }

  it('exits 2 before starting anything when the command line makes the drill impossible', async () => {
    const { out, work } = fresh();
    const backup = await runCli(['run', 'drills/pgbackrest.yaml', '--backup', 'oldest', '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(backup.code, backup.stderr).to.equal(2);
    expect(backup.stderr).to.contain('--provider local --backup oldest on the command line: --backup chooses among the backups of a pgBackRest stanza or a Barman server; this drill takes its own backup');
    const compare = await runCli(['compare', 'drills/missing-wal.yaml', '--methods', 'pg_basebackup,pg_dump,barman', '--out', out], { env: { PGDRILL_WORK_DIR: work } });
    expect(compare.code, compare.stderr).to.equal(2);
    expect(compare.stderr).to.contain('incident missing-wal cannot damage a pg_dump backup').and.contain('(backup.method is set by compare --methods pg_dump)');
    expect(compare.stderr).to.contain('incident missing-wal cannot damage a barman backup');
    expect(existsSync(out), 'no output folder').to.equal(false);
    expectNothingLeft(work);
  });

  it('exits 3 with what to do for an unwritable --out and for PostgreSQL binaries that do not run', async () => {
    const { out, work } = fresh();
    const notAFolder = path.join(work, 'a-file');
    writeFileSync(notAFolder, 'x');
    const run = await runCli(['run', 'drills/quickstart.yaml', '--out', path.join(notAFolder, 'reports')], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(3);
    expect(run.stderr).to.contain('cannot write the output folder').and.contain('choose a writable folder with --out');
    expect(run.stderr).not.to.contain('unexpected error');

    const bin = path.join(work, 'broken-bin');
    mkdirSync(bin);
    for (const tool of ['initdb', 'pg_ctl', 'postgres', 'pg_basebackup', 'pg_verifybackup', 'psql']) {
      writeFileSync(path.join(bin, tool), '#!/bin/sh\necho "error while loading shared libraries: libpq.so.5" >&2\nexit 127\n', { mode: 0o755 });
    }
    const broken = await runCli(['run', 'drills/quickstart.yaml', '--out', out], { env: { PG_BIN: bin, PGDRILL_WORK_DIR: work } });
    expect(broken.code, broken.stderr).to.equal(3);
    expect(broken.stderr).to.contain(`${bin} (postgres --version fails: error while loading shared libraries`);
    expect(broken.stderr).not.to.contain('unexpected error');
    expectNothingLeft(work);
  });

  it('exits 3 with what to do when the disk fills up mid-drill, not exit 1 as if the backup were bad', async function () {
    // A small disk of its own: a tmpfs mounted for this test (mounting needs root: .ci/run runs as root; as the
    // GitHub runner user it is skipped).
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) this.skip();
    const { out, work } = fresh();
    const disk = path.join(work, 'small-disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=70m,mode=755', 'tmpfs', disk]);
    try {
      const run = await runCli(['run', 'drills/quickstart.yaml', '--out', out, '--work-dir', disk]);
      expect(run.code, run.stderr).to.equal(3);
      expect(run.stderr).to.contain('the disk ran out of space').and.contain('pass --work-dir (PGDRILL_WORK_DIR) on a larger disk');
      expectNothingLeft(disk);
    } finally {
      execFileSync('umount', [disk]);
    }
  });
});
