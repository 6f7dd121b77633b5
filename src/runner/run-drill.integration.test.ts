// runDrill as a library on real PostgreSQL 15: a recovery that cannot reach its target is a failed drill with
// that diagnosis (never a pass), a recovery that times out is a failure, and both clean up everything.
import { expect } from 'chai';
import { rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { PgBasebackupMethod } from '../backup/pg-basebackup.js';
import type { BackupContext } from '../backup/backup-method.js';
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

  const run = (yaml: string, extra: { backupMethod?: PgBasebackupMethod } = {}) =>
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
    expect(result.measured.rtoSeconds).to.equal(null);
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
});
