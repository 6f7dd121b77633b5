// Each backup method drives a real drill with its real tool (pgBackRest 2.x, Barman 3.x, pg_dump,
// pg_basebackup), at least two target kinds for the PITR methods, asserting the recovered data and the
// measured RPO. Then `compare` on two methods, checking its table against the runs' own result files.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compareMethods } from '../compare/compare-methods.js';
import { loadDrill } from '../drill/loader.js';
import { resolveServerUser } from '../exec/os-user.js';
import { LocalProvider } from '../providers/local/local-provider.js';
import { resultSchema, type DrillResult } from '../model/result-schema.js';
import { runDrill } from '../runner/run-drill.js';
import { postgresProcessesUnder, testFolders, workFoldersLeft } from '../test-support/cli.js';
import { writeDrill } from '../test-support/drill-files.js';

function requireTool(cmd: string, pkg: string): void {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync(cmd, ['version'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${cmd} is not installed: install it with "apt-get install --no-install-recommends ${pkg}" (scripts/setup.sh --backup-tools does it)`);
    }
  }
}

const drillYaml = (method: string, recovery: string, extra = '') => `name: ${method}-drill
objectives: { rto: 2m, rpo: 5s }
backup: { method: ${method} }
workload: { fixtures: [$FIXTURES/shop.sql], heartbeat: 100ms, runFor: 1s }
incident: { kind: drop-table, table: orders }
recovery: ${recovery}
verify:
  - sql: select count(*) from customers
    expect: "100"
  - sql: select sum(total) from orders
    compare: pre-incident
${extra}`;

describe('backup methods (real tools, real recoveries)', function () {
  this.timeout(300_000);
  const { out, work } = testFolders();
  let n = 0;

  async function drill(yaml: string): Promise<DrillResult> {
    const { result } = await runDrill(loadDrill(writeDrill(yaml)), {
      runId: 'methods',
      drillDir: path.join(out, `m${++n}`),
      provider: new LocalProvider(),
      signal: new AbortController().signal,
      workRoot: work,
      serverUser: resolveServerUser(),
    });
    resultSchema.parse(result);
    expect(postgresProcessesUnder(work), 'postgres left').to.deep.equal([]);
    expect(workFoldersLeft(work), 'work folders left').to.deep.equal([]);
    return result;
  }
  const check = (r: DrillResult, name: string) => r.checks.find((c) => c.name === name);
  const passedAll = (r: DrillResult) => expect(r.checks.filter((c) => c.status === 'failed'), r.diagnosis).to.deep.equal([]);

  describe('pgbackrest', () => {
    before(() => requireTool('pgbackrest', 'pgbackrest'));

    it('before-incident (xid, exclusive): the table is back, RPO 0, verified by pgbackrest verify', async () => {
      const r = await drill(drillYaml('pgbackrest', '{ target: before-incident }'));
      expect(r.status, r.diagnosis).to.equal('passed');
      passedAll(r);
      expect(r.environment.toolVersions['pgbackrest']).to.match(/^pgBackRest 2\./);
      expect(check(r, 'backup-verified')?.detail).to.match(/^pgbackrest verify/);
      expect(r.recovery.settings).to.include({ recovery_target_xid: r.incident?.xid, archive_mode: 'off' });
      // As the server ran it: pgBackRest's archive-get, inside pgdrill's timing wrapper (the same for every drill).
      expect(r.recovery.settings['restore_command']).to.match(/\( pgbackrest .* archive-get %f "%p" \)/);
      expect(r.measured.rpoSeconds).to.be.at.least(0).and.below(0.3);
      expect(r.measured.lostMarkers).to.equal(0);
    });

    it('time target at a marker (inclusive): exactly the markers up to it survive', async () => {
      const r = await drill(drillYaml('pgbackrest', '{ target: time, marker: 4, inclusive: true }').replace('rpo: 5s', 'rpo: 30s'));
      expect(r.status, r.diagnosis).to.equal('passed');
      expect(check(r, 'markers match the time target')?.detail).to.match(/^exactly the 4 marker\(s\) committed at or before /);
      expect(r.recovery.settings['recovery_target_time']).to.be.a('string');
      expect(r.measured.rpoSeconds).to.be.greaterThan(0.5);
    });
  });

  describe('barman', () => {
    before(() => requireTool('barman', 'barman barman-cli'));

    it('before-incident (xid, exclusive): the table is back, barman check and verify-backup pass', async () => {
      const r = await drill(drillYaml('barman', '{ target: before-incident }'));
      expect(r.status, r.diagnosis).to.equal('passed');
      passedAll(r);
      expect(check(r, 'barman check')?.status).to.equal('passed');
      expect(r.recovery.settings).to.include({ archive_mode: 'off' });
      expect(r.recovery.settings['restore_command']).to.contain('get-wal --partial drill');
      expect(r.measured.rpoSeconds).to.be.at.least(0).and.below(0.3);
    });

    it('primary loss: the streamed .partial segment is replayed, so the RPO is what streaming missed', async () => {
      const r = await drill(`name: barman-primary-loss
objectives: { rto: 2m, rpo: 1s }
postgres: { settings: { archive_timeout: 1h } }
backup: { method: barman }
workload: { fixtures: [$FIXTURES/shop.sql], heartbeat: 100ms, runFor: 3s }
incident: { kind: primary-loss }
recovery: { target: latest }
verify:
  - table: orders
`);
      expect(r.status, r.diagnosis).to.equal('passed');
      expect(r.recovery.settings['restore_command']).to.match(/\( barman -c \S+ get-wal --partial drill %f > %p \)/);
      // No segment switch happened after the backup: without the .partial everything since then (> 3 s) is lost.
      expect(r.measured.rpoSeconds).to.be.at.least(0).and.below(1);
    });

    it('restore point (name): recovers to pg_create_restore_point made just before the incident', async () => {
      const r = await drill(drillYaml('barman', '{ target: name, name: before-migration }'));
      expect(r.status, r.diagnosis).to.equal('passed');
      expect(r.recovery.evidence.join('\n')).to.contain('recovery stopping at restore point "before-migration"');
      expect(r.recovery.settings).to.include({ recovery_target_name: 'before-migration' });
    });
  });

  describe('without WAL', () => {
    it('pg_dump: restores the dump; everything since the dump is lost, and a PITR target is refused', async () => {
      // No target: the dump itself. An explicit point in time, even before-incident, is refused (exit 2).
      const r = await drill(drillYaml('pg_dump', '{ timeout: 5m }'));
      expect(r.recovery.resolved).to.equal('the end of the base backup (first consistent point)');
      expect(r.phases.map((p) => p.name)).to.include('logical-restore');
      expect(check(r, 'table orders restored')?.status).to.equal('passed');
      // Markers all came after the dump: the loss is the time from the dump to the incident (>= runFor).
      expect(r.measured.rpoSeconds).to.be.greaterThan(1);
      expect(r.measured.rpoLowerBound).to.equal(false);
      const refused = loadDrill.bind(null, writeDrill(drillYaml('pg_dump', '{ target: xid }')));
      expect(refused).to.throw(/backup method pg_dump keeps no WAL, so it cannot recover to a point in time \(xid\)/);
      expect(loadDrill.bind(null, writeDrill(drillYaml('pg_dump', '{ target: before-incident }')))).to.throw(/cannot recover to a point in time \(before-incident\)/);
    });

    it('pg_basebackup-no-wal: crash recovery to the end of the backup', async () => {
      const r = await drill(drillYaml('pg_basebackup-no-wal', '{ target: immediate }').replace('rpo: 5s', 'rpo: 1m'));
      expect(r.status, r.diagnosis).to.equal('passed');
      expect(r.recovery.reached).to.equal(true);
      expect(r.recovery.evidence[0]).to.match(/completed backup recovery with redo LSN/);
      expect(r.measured.rpoSeconds).to.be.greaterThan(1);
    });
  });

  it('compare: one row per method, every number taken from that run\'s result.json', async () => {
    const file = writeDrill(drillYaml('pg_basebackup', '{ target: before-incident }').replace('runFor: 1s', 'runFor: 0s'));
    const { comparison, files, exitCode } = await compareMethods(file, ['pg_basebackup', 'pg_dump'], { out, signal: new AbortController().signal, workRoot: work });
    expect(exitCode).to.equal(0);
    expect(comparison.rows.map((r) => r.method)).to.deep.equal(['pg_basebackup', 'pg_dump']);
    for (const row of comparison.rows) {
      const r = resultSchema.parse(JSON.parse(readFileSync(row.result, 'utf8')));
      expect(row.rtoSeconds).to.equal(r.measured.rtoSeconds);
      expect(row.rpoSeconds).to.equal(r.measured.rpoSeconds);
      expect(row.backupBytes).to.equal(r.backup?.sizeBytes);
      expect(row.backupSeconds).to.equal(r.backup?.seconds);
      expect(row.lostTransactions).to.equal(r.measured.lostMarkers);
      const split = (row.restoreSeconds ?? 0) + (row.replaySeconds ?? 0) + (row.verifySeconds ?? 0);
      expect(split).to.be.closeTo(r.phases.filter((p) => p.inRto).reduce((s, p) => s + p.seconds, 0), 1e-6);
    }
    const [pitr, dump] = comparison.rows;
    expect(pitr?.lostTransactions).to.equal(0);
    expect(dump?.lostTransactions).to.be.greaterThan(0);
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).to.contain(`| pg_basebackup | ${''}`).and.contain('| pg_dump |');
    expect(readFileSync(files.html, 'utf8')).to.contain('backup methods compared');
    expect(JSON.parse(readFileSync(files.json, 'utf8')).rows).to.have.length(2);
    expect(postgresProcessesUnder(work)).to.deep.equal([]);
  });
});
