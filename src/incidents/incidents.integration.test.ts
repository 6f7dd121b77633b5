// Each incident kind as a real drill (the example drills shipped in drills/), asserting the outcome, the
// measured RPO range and the report's diagnosis.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDrill } from '../drill/loader.js';
import { resolveServerUser } from '../exec/os-user.js';
import { LocalProvider } from '../providers/local/local-provider.js';
import type { DrillResult } from '../model/result-schema.js';
import { resultSchema } from '../model/result-schema.js';
import { runDrill } from '../runner/run-drill.js';
import { postgresProcessesUnder, ROOT, testFolders, workFoldersLeft } from '../test-support/cli.js';
import { writeDrill } from '../test-support/drill-files.js';

describe('incidents (real drills)', function () {
  this.timeout(180_000);
  const { out, work } = testFolders();
  let n = 0;

  async function drill(file: string): Promise<{ result: DrillResult; exitCode: number }> {
    const outcome = await runDrill(loadDrill(file), {
      runId: 'incidents',
      drillDir: path.join(out, `d${++n}`),
      provider: new LocalProvider(),
      signal: new AbortController().signal,
      workRoot: work,
      serverUser: resolveServerUser(),
    });
    resultSchema.parse(outcome.result);
    expect(postgresProcessesUnder(work), 'postgres left').to.deep.equal([]);
    expect(workFoldersLeft(work), 'work folders left').to.deep.equal([]);
    return outcome;
  }
  const shipped = (name: string) => path.join(ROOT, 'drills', name);
  const check = (r: DrillResult, name: string) => r.checks.find((c) => c.name === name);

  it('truncate: every row comes back, RPO 0', async () => {
    const { result } = await drill(shipped('truncate.yaml'));
    expect(result.status, result.diagnosis).to.equal('passed');
    expect(check(result, 'table orders restored')?.detail).to.match(/^1000 rows/);
    expect(result.measured.rpoSeconds).to.be.at.least(0).and.below(0.6);
  });

  it('delete-rows: rows come back; the writes made before the incident was declared are counted as discarded', async () => {
    const { result } = await drill(shipped('delete-rows.yaml'));
    expect(result.status, result.diagnosis).to.equal('passed');
    expect(result.incident?.details?.['rowsAffected']).to.match(/^[1-9]\d*$/);
    // 1 s of heartbeats every 100 ms after the DELETE: PITR to before it discards them.
    expect(result.measured.discardedMarkers).to.be.within(5, 12);
    expect(result.measured.rpoSeconds).to.be.at.least(0).and.below(0.3);
    expect(result.phases.map((p) => p.name)).to.include('writes-after-incident');
  });

  it('update-rows: the overwritten values come back', async () => {
    const { result } = await drill(shipped('update-rows.yaml'));
    expect(result.status, result.diagnosis).to.equal('passed');
    expect(result.incident?.statement).to.equal(`update customers set name = 'oops' where id <= 50`);
    expect(check(result, 'select count(distinct name) from customers')?.status).to.equal('passed');
  });

  it('drop-database: every table of the database comes back, to the WAL position just before the DROP', async () => {
    const { result } = await drill(shipped('drop-database.yaml'));
    expect(result.status, result.diagnosis).to.equal('passed');
    expect(result.recovery.resolved).to.match(/^before WAL location /);
    // The target is the DROP's first WAL record, found in the WAL itself, and the DROP is a transaction with a commit.
    expect(result.incident?.xid).to.match(/^\d+$/);
    expect(result.recovery.resolved).to.equal(`before WAL location ${result.incident?.details?.['firstDamagingRecordLsn']}`);
    expect(check(result, 'last pre-incident marker present')?.status).to.equal('passed');
    expect(result.measured.lostMarkers).to.equal(0);
    expect(check(result, 'table shop: products restored')?.status).to.equal('passed');
    expect(check(result, 'table shop: stock restored')?.status).to.equal('passed');
    expect(result.measured.rpoSeconds).to.be.at.least(0).and.below(0.6);
  });

  it('drop-database under a busy application: markers committed during the DROP\'s checkpoint are classified by the WAL', async () => {
    const yaml = readFileSync(shipped('drop-database.yaml'), 'utf8')
      .replace(/\.\.\/fixtures/g, '$FIXTURES')
      .replace('workload: { fixtures:', 'workload: { heartbeat: 10ms, fixtures:');
    for (let i = 0; i < 2; i++) {
      const { result } = await drill(writeDrill(yaml));
      expect(result.status, result.diagnosis).to.equal('passed');
      expect(result.measured.lostMarkers, 'no marker committed before the damage is lost').to.equal(0);
      expect(check(result, 'recovered markers are a prefix of history')?.status).to.equal('passed');
    }
  });

  it('drop-database with a time target: stops before the last commit preceding the damage, and the database is back', async () => {
    const yaml = `${readFileSync(shipped('drop-database.yaml'), 'utf8').replace(/\.\.\/fixtures/g, '$FIXTURES')}recovery: { target: time }\n`;
    const { result } = await drill(writeDrill(yaml));
    expect(result.status, result.diagnosis).to.equal('passed');
    expect(result.recovery.resolved).to.equal(`before commit time ${result.incident?.lastCommitBefore?.replace('T', ' ').replace('Z', '+00')}`);
    expect(check(result, 'table shop: products restored')?.status).to.equal('passed');
    expect(check(result, 'markers match the time target')?.status).to.equal('passed');
  });

  it('corrupt-page: detected three ways, then the table is recovered from backup + WAL', async () => {
    const { result } = await drill(shipped('corrupt-page.yaml'));
    expect(result.status, result.diagnosis).to.equal('passed');
    const detections = result.incident?.detections ?? [];
    expect(detections.map((d) => [d.name, d.status])).to.deep.equal([
      ['pg_checksums --check detects the damage', 'passed'],
      ['data checksum error on read', 'passed'],
      ['pg_amcheck reports the damage', 'passed'],
    ]);
    expect(detections[1]?.detail).to.match(/invalid page in block 0/);
    expect(check(result, 'table orders restored')?.status).to.equal('passed');
    expect(result.recovery.resolved).to.equal('the end of the archived WAL');
  });

  it('missing-wal: detected, naming the segment, the last recoverable point and the RPO that cannot be met', async () => {
    const { result, exitCode } = await drill(shipped('missing-wal.yaml'));
    expect(result.status).to.equal('passed');
    expect(exitCode).to.equal(0);
    expect(result.expectation).to.include({ expect: 'detected', met: true });
    const segment = result.incident?.details?.['missingSegment'] ?? '';
    expect(segment).to.match(/^[0-9A-F]{24}$/);
    expect(result.incident?.details?.['deleted']).to.match(new RegExp(`/archive/${segment}$`));
    expect(result.diagnosis).to.contain(`WAL segment ${segment} is missing from the archive (${result.incident?.details?.['deleted']}): recovery can only reach `);
    expect(result.diagnosis).to.match(/\((last transaction committed at|the end of the base backup at) \d{4}-/);
    expect(result.diagnosis).to.contain('The RPO objective of 5s cannot be met with this archive');
    expect(result.measured.rpoLowerBound).to.equal(false);
    expect(result.measured.rpoSeconds).to.be.greaterThan(0);
    expect(check(result, 'WAL archive continuous')?.status).to.equal('failed');
    expect(result.recovery.reached).to.equal(false);
  });

  it('corrupt-backup: caught by pg_verifybackup before any restore', async () => {
    const { result } = await drill(shipped('corrupt-backup.yaml'));
    expect(result.status).to.equal('passed');
    expect(result.expectation.met).to.equal(true);
    expect(check(result, 'backup-verified')?.status).to.equal('failed');
    expect(check(result, 'backup-verified')?.detail).to.match(/checksum mismatch for file "base\//);
    expect(result.phases.map((p) => p.name)).not.to.include('restore-files');
    expect(result.diagnosis).to.contain('no restore was attempted');
  });

  it('primary-loss: the measured RPO is the unarchived window, > 0 and within archive_timeout', async () => {
    const yaml = readFileSync(shipped('primary-loss.yaml'), 'utf8')
      .replace('archive_timeout: 30s', 'archive_timeout: 2s')
      .replace('runFor: 45s', 'runFor: 3s')
      .replace(/\.\.\/fixtures/g, '$FIXTURES');
    const { result } = await drill(writeDrill(yaml));
    expect(result.status, result.diagnosis).to.equal('passed');
    expect(result.measured.rpoSeconds).to.be.greaterThan(0).and.at.most(2.5);
    expect(result.measured.lostMarkers).to.be.greaterThan(0);
    // Every marker the primary acknowledged committed before the loss: none is "discarded" by a clock read early.
    expect(result.measured.discardedMarkers).to.equal(0);
    expect(result.recovery.resolved).to.equal('the end of the archived WAL');
    expect(result.incident?.details?.['archiveTimeout']).to.equal('2s');
  });

  it('expect: detected is refused for an incident no check is meant to find (it could only pass by accident)', () => {
    const yaml = readFileSync(shipped('truncate.yaml'), 'utf8').replace('incident:', 'expect: detected\nincident:').replace(/\.\.\/fixtures/g, '$FIXTURES');
    expect(() => loadDrill(writeDrill(yaml))).to.throw(/expect: detected applies to incidents that a check is meant to find/);
  });
});
