// runDrill as a library on real PostgreSQL 15: a recovery that cannot reach its target is a failed drill with
// that diagnosis (never a pass), a recovery that times out is a failure, and both clean up everything.
import { expect } from 'chai';
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { listFiles } from '../evidence/hashing.js';
import { buildMetrics } from '../report/metrics.js';
import { slackMessage } from '../notify/slack-message.js';
import type { CheckResult } from '../model/check-result.js';
import path from 'node:path';
import { PgBasebackupMethod } from '../tools/pg-basebackup/method.js';
import type { BackupContext, BackupMethod } from '../tools/backup-method.js';
import { loadDrill } from '../drill/loader.js';
import { resolveServerUser } from '../exec/os-user.js';
import type { PostgresInstance } from '../providers/provider.js';
import { LocalProvider } from '../providers/local/local-provider.js';
import { postgresProcessesUnder, testFolders, workFoldersLeft } from '../test-support/cli.js';
import { writeDrill } from '../test-support/drill-files.js';
import { runDrill } from './run-drill.js';

/** The real pg_basebackup method, except that the archived segment holding the incident disappears. */
class LosesIncidentSegment extends PgBasebackupMethod {
  lost = '';
  override async archiveThrough(ctx: BackupContext, primary: PostgresInstance, lsn: string, deadlineMs: number) {
    const flush = await super.archiveThrough(ctx, primary, lsn, deadlineMs);
    this.lost = flush.segment;
    unlinkSync(path.join(ctx.archiveDir, flush.segment));
    return flush;
  }
}

const DRILL = `name: lib-drill
objectives: { rto: 2m, rpo: 5s }
workload: { fixtures: [$FIXTURES/shop.sql] }
incident: { kind: drop-table, table: orders }
`;

describe('runDrill (library, real Postgres)', function () {
  this.timeout(120_000);
  const { out, work } = testFolders();
  after(() => rmSync(work, { recursive: true, force: true }));

  const run = (yaml: string, extra: { backupMethod?: BackupMethod } = {}) =>
    runDrill(loadDrill(writeDrill(yaml)), {
      runId: 'test',
      drillDir: path.join(out, `d${Math.random().toString(16).slice(2)}`),
      provider: new LocalProvider(),
      signal: new AbortController().signal,
      workRoot: work,
      serverUser: resolveServerUser(),
      ...extra,
    });

  it('fails, never passes, when recovery ends before the target (a WAL segment is missing)', async () => {
    const method = new LosesIncidentSegment();
    const { result, exitCode } = await run(DRILL, { backupMethod: method });
    expect(exitCode).to.equal(1);
    expect(result.status).to.equal('failed');
    expect(result.recovery.reached).to.equal(false);
    expect(result.diagnosis).to.contain('recovery ended before the configured recovery target was reached');
    expect(result.diagnosis).to.contain('FATAL:  recovery ended before configured recovery target was reached');
    // The time spent is shown, never as met: the recovery was not verified.
    expect(result.objectives.rtoMet).to.equal(false);
    expect(result.measured.rtoSeconds).to.be.a('number');
    expect(result.verdict).to.match(/RTO not met \(.* spent, recovery not verified\)/);
    expect(method.lost).to.match(/^[0-9A-F]{24}$/);
    expect(postgresProcessesUnder(work)).to.deep.equal([]);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('fails with what it waited for when recovery exceeds recovery.timeout', async () => {
    const { result } = await run(DRILL.replace('incident:', 'recovery: { timeout: 1ms }\nincident:'));
    expect(result.status).to.equal('failed');
    expect(result.diagnosis).to.contain('restore: not ready to accept read-write connections after');
    expect(result.diagnosis).to.contain('raise recovery.timeout');
    expect(result.phases.find((p) => p.name === 'wal-replay')?.status).to.equal('failed');
    expect(postgresProcessesUnder(work)).to.deep.equal([]);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('reports an incident on a table the workload never created as an error, not a pass', async () => {
    const { result, exitCode } = await run(DRILL.replace('table: orders', 'table: invoices'));
    expect(result.status).to.equal('error');
    expect(exitCode).to.equal(1);
    expect(result.error?.message).to.contain('incident.table invoices does not exist');
    expect(postgresProcessesUnder(work)).to.deep.equal([]);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('RTO: the phase table adds up to it, and a recovery that fails verification never meets it', async () => {
    const passed = (await run(DRILL)).result;
    expect(passed.status, passed.diagnosis).to.equal('passed');
    const sum = passed.phases.filter((p) => p.inRto).reduce((s, p) => s + p.seconds, 0);
    expect(passed.measured.rtoSeconds).to.be.closeTo(sum, 1e-9);
    expect(passed.phases.filter((p) => p.inRto).map((p) => p.name)).to.deep.equal(['archive-wal', 'restore-files', 'wal-replay', 'verify']);
    expect(passed.objectives.rtoMet).to.equal(true);

    const { result, exitCode } = await run(`${DRILL}verify:\n  - sql: select count(*) from customers\n    expect: "999"\n`);
    expect(exitCode).to.equal(1);
    expect(result.measured.rtoSeconds, 'fast, well within 2m').to.be.below(60);
    expect(result.objectives.rtoMet).to.equal(false);
    expect(result.checks.find((c) => c.name === 'RTO objective')).to.deep.include({ status: 'failed' });
    expect(buildMetrics([result])).to.contain('pgdrill_drill_objective_met{drill="lib-drill",objective="rto"} 0');
    expect(JSON.stringify(slackMessage([result], { runId: 'r', host: 'h' }).blocks)).to.contain('RTO not met');
  });

  it('a detection drill fails when the check meant to find the damage does not look, whatever else happens', async () => {
    const drill = `name: unnoticed\nobjectives: { rto: 2m, rpo: 5s }\nworkload: { fixtures: [$FIXTURES/shop.sql] }\nincident: { kind: corrupt-backup }\nexpect: detected\n`;
    // The backup's verification does not look; the integrity pass (its row scan, or pg_checksums after it) finds the page.
    const caught = await run(drill, { backupMethod: new VerifiesNothing() });
    expect(caught.result.status, caught.result.diagnosis).to.equal('passed');
    expect(caught.result.expectation.detail).to.match(/^detected by "integrity: (TOAST chunks and every value that can fail to decode|pg_checksums --check \(server stopped\))": .*(checksum|invalid page)/);
    // With the integrity pass off too, nothing looks: not detected, the drill fails.
    const { result, exitCode } = await run(`${drill}verify:\n  - integrity: off\n`, { backupMethod: new VerifiesNothing() });
    expect(result.status).to.equal('failed');
    expect(exitCode).to.equal(1);
    expect(result.expectation.met).to.equal(false);
    expect(result.verdict).to.contain('expected detection: NOT detected');
    expect(result.diagnosis).to.match(/^not detected/);
  });

  it('a cleanup step that fails is a warning in result.json, not a silent pass and not a crash', async () => {
    const { result, exitCode } = await run(DRILL, { backupMethod: new DisposeFails() });
    expect(exitCode).to.equal(0);
    expect(result.status).to.equal('passed');
    expect(result.warnings).to.deep.equal(["cleanup: stop pg_basebackup's background processes failed: receiver would not stop"]);
    expect(postgresProcessesUnder(work)).to.deep.equal([]);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('resolves table names by PostgreSQL rules: Orders is orders, "Audit Trail" keeps its case and space', async () => {
    const fixture = path.join(out, 'quoted.sql');
    writeFileSync(fixture, `create table orders (id int primary key, total numeric);
insert into orders select g, g * 1.5 from generate_series(1, 50) g;
create table "Audit Trail" (id int primary key, what text);
insert into "Audit Trail" select g, 'event ' || g from generate_series(1, 20) g;
`);
    const { result } = await run(`name: quoted\nobjectives: { rto: 2m, rpo: 5s }\nworkload: { fixtures: [${fixture}] }\nincident: { kind: drop-table, table: 'public."Audit Trail"' }\nverify:\n  - table: Orders\n`);
    expect(result.status, result.diagnosis).to.equal('passed');
    expect(result.incident?.statement).to.equal('drop table "Audit Trail"');
    expect(result.checks.map((c) => c.name)).to.include.members(['table "Audit Trail" restored', 'table orders restored']);
  });

  it('gives no server or tool pgdrill\'s secrets: a fixture printing its environment and the server\'s finds none', async () => {
    const secrets = { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/leakcheckSLACK', PGDRILL_SIGNING_KEY: '/keys/leakcheckKEY.pem', GITHUB_TOKEN: 'ghp_leakcheckTOKEN' };
    const saved = Object.fromEntries(Object.keys(secrets).map((k) => [k, process.env[k]]));
    Object.assign(process.env, secrets);
    try {
      const fixture = path.join(out, 'print-env.sql');
      writeFileSync(fixture, `create table orders (id int primary key);
insert into orders select generate_series(1, 10);
\\! env
select encode(pg_read_binary_file('/proc/' || pg_backend_pid() || '/environ'), 'escape') as backend_environment;
`);
      const drillDir = path.join(out, 'env-check');
      const { result } = await runDrill(loadDrill(writeDrill(`name: env\nobjectives: { rto: 2m, rpo: 5s }\nworkload: { fixtures: [${fixture}] }\nincident: { kind: drop-table, table: orders }\n`)), {
        runId: 'test',
        drillDir,
        provider: new LocalProvider(),
        signal: new AbortController().signal,
        workRoot: work,
        serverUser: resolveServerUser(),
      });
      expect(result.status, result.diagnosis).to.equal('passed');
      const written = listFiles(drillDir).map((f) => readFileSync(path.join(drillDir, f), 'utf8')).join('\n');
      expect(written, 'the fixture printed environments').to.contain('backend_environment').and.contain('PATH=');
      for (const value of Object.values(secrets)) expect(written).not.to.contain(value);
      expect(written).not.to.contain('leakcheck');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

/** The real method, but its verification does not look: corrupt-backup goes unnoticed. */
class VerifiesNothing extends PgBasebackupMethod {
  override async verify(): Promise<CheckResult> {
    return { name: 'backup-verified', status: 'passed', detail: 'not checked (test)' };
  }
}

/** The real method, whose background processes refuse to stop once. */
class DisposeFails extends PgBasebackupMethod {
  async dispose(): Promise<void> {
    throw new Error('receiver would not stop');
  }
}
