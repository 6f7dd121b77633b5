// The docker provider on a real Docker engine with the image scripts/docker-setup.sh builds: the same drills
// give the same outcome and checks as on the local provider, auto picks docker and says why, containers are
// removed on every path (and by `pgdrill cleanup`), and a missing image is a clear exit 3.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { resultSchema, type DrillResult } from '../../model/result-schema.js';
import { runCli, testFolders, workFoldersLeft } from '../../test-support/cli.js';
import { processStart } from '../../exec/ownership.js';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import pg from 'pg';
import { DEFAULT_IMAGE } from './docker-provider.js';

function managedContainers(): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', 'label=pgdrill.managed=true'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

function results(out: string): DrillResult[] {
  const run = readdirSync(out, { withFileTypes: true }).find((e) => e.isDirectory())?.name as string;
  const summary = JSON.parse(readFileSync(path.join(out, run, 'summary.json'), 'utf8')) as { drills: Array<{ result: string }> };
  return summary.drills.map((d) => resultSchema.parse(JSON.parse(readFileSync(d.result, 'utf8'))));
}

const outcome = (r: DrillResult) => ({ status: r.status, reached: r.recovery.reached, checks: r.checks.map((c) => [c.name, c.status]) });

describe('docker provider (real Docker engine)', function () {
  this.timeout(300_000);

  before(() => {
    // Ryuk cannot be pulled without a registry; pgdrill removes its own containers (and `pgdrill cleanup`).
    process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
    process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= 'localhost';
    try {
      execFileSync('docker', ['image', 'inspect', DEFAULT_IMAGE], { stdio: 'ignore' });
    } catch {
      throw new Error(`Docker engine or image ${DEFAULT_IMAGE} missing: run "bash scripts/docker-setup.sh" (installs docker.io, starts dockerd, builds the image from Debian packages)`);
    }
  });

  for (const drill of ['drills/quickstart.yaml', 'drills/corrupt-page.yaml']) {
    it(`${drill}: same outcome and checks as on the local provider, no container left`, async () => {
      const local = testFolders();
      const docker = testFolders();
      const a = await runCli(['run', drill, '--out', local.out, '--provider', 'local'], { env: { PGDRILL_WORK_DIR: local.work } });
      const b = await runCli(['run', drill, '--out', docker.out, '--provider', 'docker'], { env: { PGDRILL_WORK_DIR: docker.work } });
      expect(a.code, a.stderr).to.equal(0);
      expect(b.code, b.stderr).to.equal(0);
      const [ra] = results(local.out);
      const [rb] = results(docker.out);
      expect(rb?.environment.provider).to.equal('docker');
      expect(rb?.environment.providerReason).to.contain(`image ${DEFAULT_IMAGE}`);
      expect(rb?.environment.postgresVersion).to.match(/^15\./);
      expect(outcome(rb as DrillResult)).to.deep.equal(outcome(ra as DrillResult));
      expect(managedContainers()).to.deep.equal([]);
    });
  }

  it('auto picks docker when the engine answers and the image is present, and says why', async () => {
    const { out, work } = testFolders();
    const run = await runCli(['run', 'drills/truncate.yaml', '--out', out, '--provider', 'auto'], { env: { PGDRILL_WORK_DIR: work } });
    expect(run.code, run.stderr).to.equal(0);
    const [r] = results(out);
    expect(r?.environment.provider).to.equal('docker');
    expect(r?.environment.providerReason).to.match(/^auto: a Docker engine answers and postgres:15 is present/);
  });

  it('removes its containers on SIGINT (exit 130)', async () => {
    const { out, work } = testFolders();
    let sent = false;
    const run = await runCli(['run', 'drills/quickstart.yaml', '--out', out, '--provider', 'docker'], {
      env: { PGDRILL_WORK_DIR: work },
      onStderr: (text, child) => {
        if (!sent && text.includes('heartbeat ...')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(run.code, run.stderr).to.equal(130);
    expect(managedContainers()).to.deep.equal([]);
  });

  it('pgdrill cleanup removes the containers of dead runs and never those of a live one', async () => {
    const owner = (pid: number) => `${hostname()}:${pid}:${processStart(pid)}`;
    // A pid that no longer runs: a child that has exited.
    const dead = spawnSync('true').pid ?? 999_999;
    const start = (label: string) =>
      execFileSync('docker', ['run', '-d', '--label', 'pgdrill.managed=true', '--label', `pgdrill.owner=${label}`, DEFAULT_IMAGE, 'sleep', '300'], { encoding: 'utf8' }).trim();
    const orphan = start(`${hostname()}:${dead}:1`);
    const live = start(owner(process.pid));
    try {
      const run = await runCli(['cleanup']);
      expect(run.code).to.equal(0);
      expect(run.stderr).to.match(/removed 1 container\(s\)/).and.contain(orphan.slice(0, 12));
      expect(run.stderr).to.contain('and 1 container(s) of runs that are still alive');
      const left = managedContainers();
      expect(left.some((id) => live.startsWith(id))).to.equal(true);
      expect(left.some((id) => orphan.startsWith(id))).to.equal(false);
    } finally {
      execFileSync('docker', ['rm', '-f', live, orphan], { stdio: 'ignore' });
    }
  });

  it('SIGKILL of a docker drill leaves containers and a folder owned by the container user; cleanup removes both', async () => {
    const { out, work } = testFolders();
    let killed = false;
    await runCli(['run', 'drills/quickstart.yaml', '--out', out, '--provider', 'docker'], {
      env: { PGDRILL_WORK_DIR: work },
      onStderr: (text, child) => {
        if (!killed && text.includes('base-backup ...')) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(killed).to.equal(true);
    expect(managedContainers().length, 'the killed run left its server container').to.be.greaterThan(0);
    expect(workFoldersLeft(work)).to.have.length(1);
    const run = await runCli(['cleanup', '--work-dir', work]);
    expect(run.code, run.stderr).to.equal(0);
    expect(managedContainers()).to.deep.equal([]);
    expect(workFoldersLeft(work)).to.deep.equal([]);
  });

  it('the image behaves like the official one: @testcontainers/postgresql starts it from POSTGRES_* variables', async () => {
    const container = await new PostgreSqlContainer(DEFAULT_IMAGE).withDatabase('shop').withUsername('app').withPassword('app-secret').start();
    try {
      const client = new pg.Client({ connectionString: container.getConnectionUri() });
      await client.connect();
      const { rows } = await client.query<{ db: string; user: string; v: string }>('select current_database() as db, current_user as user, version() as v');
      await client.end();
      expect(rows[0]).to.include({ db: 'shop', user: 'app' });
      expect(rows[0]?.v).to.match(/^PostgreSQL 15\./);
    } finally {
      await container.stop();
    }
  });

  it('exits 3 when the image is neither present nor pullable', async () => {
    const { out, work } = testFolders();
    const run = await runCli(['run', 'drills/quickstart.yaml', '--out', out, '--provider', 'docker'], { env: { PGDRILL_WORK_DIR: work, PGDRILL_IMAGE: 'pgdrill/absent:15' } });
    expect(run.code).to.equal(3);
    expect(run.stderr).to.contain('image pgdrill/absent:15 is not present and cannot be pulled').and.contain('scripts/docker-setup.sh');
  });
});
