// What survives when pgdrill itself is killed (a CI job timeout sends SIGKILL) or interrupted twice, and what
// `pgdrill cleanup` and the next run do about it: remove what dead runs left, and never touch a live run.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { summarySchema } from '../model/result-schema.js';
import { postgresProcessesUnder, ROOT, runCli, testFolders, workFoldersLeft } from '../test-support/cli.js';
import { writeDrill } from '../test-support/drill-files.js';

/** Waits (bounded) until the killed server processes are gone: SIGKILL is asynchronous. */
async function settle(work: string): Promise<void> {
  for (let i = 0; i < 100 && postgresProcessesUnder(work).length > 0; i++) await sleep(20);
}

describe('killed runs and pgdrill cleanup (CLI, real Postgres)', function () {
  this.timeout(180_000);
  // Each test's folders; the test run removes them all at its end (test-support/temp-dirs.ts).
  const fresh = testFolders;

  for (const phase of ['base-backup', 'wal-replay']) {
    it(`SIGKILL during ${phase} leaves servers and a work folder; pgdrill cleanup removes them all`, async () => {
      const { out, work } = fresh();
      let killed = false;
      await runCli(['run', 'drills/quickstart.yaml', '--out', out], {
        env: { PGDRILL_WORK_DIR: work },
        onStderr: (text, child) => {
          if (!killed && text.includes(`${phase} ...`)) {
            killed = true;
            child.kill('SIGKILL');
          }
        },
      });
      expect(killed).to.equal(true);
      expect(postgresProcessesUnder(work).length, 'a SIGKILLed pgdrill cannot stop its servers').to.be.greaterThan(0);
      const [orphan] = workFoldersLeft(work);
      expect(orphan).to.be.a('string');

      const cleanup = await runCli(['cleanup', '--work-dir', work]);
      expect(cleanup.code, cleanup.stderr).to.equal(0);
      expect(cleanup.stderr).to.contain(`removed ${path.join(work, orphan ?? '')}`).and.match(/killed \d+ process\(es\)/);
      await settle(work);
      expect(postgresProcessesUnder(work), 'servers left after cleanup').to.deep.equal([]);
      expect(workFoldersLeft(work), 'work folders left after cleanup').to.deep.equal([]);
    });
  }

  it('the next run sweeps what a killed run left, and says so', async () => {
    const { out, work } = fresh();
    let killed = false;
    await runCli(['run', 'drills/quickstart.yaml', '--out', out], {
      env: { PGDRILL_WORK_DIR: work },
      onStderr: (text, child) => {
        if (!killed && text.includes('heartbeat ...')) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    const orphan = workFoldersLeft(work)[0];
    expect(orphan).to.be.a('string');
    const next = await runCli(['run', 'drills/quickstart.yaml', '--out', out, '--json'], { env: { PGDRILL_WORK_DIR: work } });
    expect(next.code, next.stderr).to.equal(0);
    const summary = summarySchema.parse(JSON.parse(next.stdout));
    expect(summary.warnings.join('\n')).to.contain(`removed ${path.join(work, orphan ?? '')}, left by a pgdrill run that was killed`);
    await settle(work);
    expect(postgresProcessesUnder(work)).to.deep.equal([]);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('a cleanup while another run is alive leaves that run untouched, and the run passes', async () => {
    const { out, work } = fresh();
    const slow = writeDrill(
      readFileSync(path.join(ROOT, 'drills/quickstart.yaml'), 'utf8')
        .replace(/\.\.\/fixtures/g, '$FIXTURES')
        .replace('name: quickstart-drop-table', 'name: still-running')
        .replace('workload:', 'workload:\n  runFor: 4s'),
    );
    let cleanup: Promise<Awaited<ReturnType<typeof runCli>>> | undefined;
    const run = await runCli(['run', slow, '--out', out], {
      env: { PGDRILL_WORK_DIR: work },
      onStderr: (text) => {
        if (!cleanup && text.includes('steady-writes ...')) cleanup = runCli(['cleanup', '--work-dir', work]);
      },
    });
    const swept = await cleanup;
    expect(swept?.code, swept?.stderr).to.equal(0);
    expect(swept?.stderr).to.contain('left 1 work folder(s) and 0 container(s), network(s) or volume(s) of runs that are still alive');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.contain('PASSED still-running');
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('a second Ctrl-C kills every server and child at once, removes the work folder and exits 130', async () => {
    const { out, work } = fresh();
    let sent = 0;
    const run = await runCli(['run', 'drills/quickstart.yaml', '--out', out], {
      env: { PGDRILL_WORK_DIR: work },
      onStderr: (text, child) => {
        if (sent === 0 && text.includes('heartbeat ...')) {
          sent = 1;
          child.kill('SIGINT');
          // Signals sent at once may merge into one: the second comes a moment later, while the first stops things.
          setTimeout(() => child.kill('SIGINT'), 30);
        }
      },
    });
    expect(sent).to.equal(1);
    expect(run.code, run.stderr).to.equal(130);
    expect(run.stderr).to.contain('SIGINT again: killing every instance now');
    await settle(work);
    expect(postgresProcessesUnder(work)).to.deep.equal([]);
    expect(workFoldersLeft(work)).to.deep.equal([]);
    expect(readdirSync(out).length, 'nothing half-written is mistaken for a run').to.be.at.most(1);
  });
});
