// The docker provider on a real Docker engine, run as users run it: pgdrill as an unprivileged member of the
// docker group (never root), the pgdrill image scripts/setup.sh --docker builds. The same drills give the same
// outcome and check names as on the local provider; no host folder is bind-mounted read-write (an existing backup
// read-only, nothing at all for a drill of its own); secrets never reach the container's configuration; and no
// container, network or volume of pgdrill's outlives a drill, passed, interrupted or killed (`pgdrill cleanup`).
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import pg from 'pg';
import type { DrillResult } from '../../model/result-schema.js';
import { processStart } from '../../exec/ownership.js';
import { onlyResult, ROOT, runCli, testFolders } from '../../test-support/cli.js';
import { dockerUser, userFolder, type DockerUser } from '../../test-support/docker-user.js';
import { hashes } from '../../test-support/file-hashes.js';
import { productionCluster, type ProductionCluster } from '../../test-support/production-cluster.js';
import { startS3Server, type S3Server } from '../../test-support/s3-server.js';
import { PGDRILL_VERSION } from '../../version.js';

const IMAGE = `pgdrill/pgdrill:${PGDRILL_VERSION}`;
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
const LABEL = 'label=pgdrill.managed=true';

/** Everything pgdrill labelled that still exists in the engine. */
function leftovers(): string[] {
  return [...docker('ps', '-aq', '--filter', LABEL).map((c) => `container ${c}`), ...docker('network', 'ls', '-q', '--filter', LABEL).map((n) => `network ${n}`), ...docker('volume', 'ls', '-q', '--filter', LABEL).map((v) => `volume ${v}`)];
}

/** Mounts and environment of every running pgdrill container, sampled while a drill runs. */
type Mount = { Type: string; Source: string; RW: boolean; Name?: string; Destination: string };
function sampleContainers(seen: Array<{ mounts: Mount[]; env: string[]; network: string }>): void {
  for (const id of docker('ps', '-q', '--filter', LABEL)) {
    try {
      const [info] = JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8' })) as Array<{ Mounts: Mount[]; Config: { Env: string[] }; HostConfig: { NetworkMode: string } }>;
      if (info) seen.push({ mounts: info.Mounts, env: info.Config.Env, network: info.HostConfig.NetworkMode });
    } catch {
      // Gone between ps and inspect: the drill ended.
    }
  }
}

/** The drill's own volume, where the drill inside keeps its work folders: no host folder, removed with the container. */
const ownVolume = (m: Mount) => m.Type === 'volume' && m.Destination === '/var/lib/pgdrill/work' && /^pgdrill-/.test(m.Name ?? '');
/** Every mount but that volume: what of the host the container sees. */
const hostMounts = (seen: Array<{ mounts: Mount[] }>) => seen.flatMap((s) => s.mounts).filter((m) => !ownVolume(m));

const outcome = (r: DrillResult) => ({ status: r.status, verdict: r.verdict.replace(/RTO [^ ]+|RPO [^ ]+|\([^)]*\)/g, ''), reached: r.recovery.reached, checks: r.checks.map((c) => [c.name, c.status]) });

describe('docker provider (real Docker engine, an unprivileged user in the docker group)', function () {
  this.timeout(300_000);
  let user: DockerUser;
  let base: string;

  before(function () {
    // This process starts one container itself (the base image test): Ryuk cannot be pulled without a registry.
    process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
    process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= 'localhost';
    if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0) {
      throw new Error(`${IMAGE} is missing: bash scripts/setup.sh --docker builds it (no registry needed)`);
    }
    user = dockerUser();
    base = testFolders().work;
    chmodSync(base, 0o755);
  });

  /** An output folder and a work root the docker user owns. */
  function folders(name: string): { out: string; work: string } {
    return { out: userFolder(user, base, `${name}-out`), work: userFolder(user, base, `${name}-work`) };
  }

  /** A drill file the docker user can read (fixtures by absolute path). */
  function drillFile(name: string, text: string): string {
    const file = path.join(userFolder(user, base, 'drills'), `${name}.yaml`);
    writeFileSync(file, text.replace(/\.\.\/fixtures/g, path.join(ROOT, 'fixtures')), { mode: 0o644 });
    return file;
  }

  /** The quickstart drill with a method that keeps no WAL: the backup itself is the target. */
  const withoutWal = (method: string) =>
    drillFile(method, readFileSync(path.join(ROOT, 'drills', 'quickstart.yaml'), 'utf8').replace('name: quickstart-drop-table', `name: ${method}-drop-table`).replace('{ method: pg_basebackup }', `{ method: ${method} }`).replace('target: before-incident', 'target: immediate').replace('rpo: 5s', 'rpo: 10m'));
  const drillFor = (drill: string) => {
    if (drill === 'pg_dump' || drill === 'pg_basebackup-no-wal') return withoutWal(drill);
    // primary-loss as shipped writes for 45 s before the loss; 5 s shows the same on both providers.
    if (drill === 'primary-loss') return drillFile('primary-loss', readFileSync(path.join(ROOT, 'drills', 'primary-loss.yaml'), 'utf8').replace('runFor: 45s', 'runFor: 5s'));
    return path.join(ROOT, 'drills', `${drill}.yaml`);
  };

  for (const drill of ['quickstart', 'pgbackrest', 'barman', 'pg_dump', 'pg_basebackup-no-wal', 'primary-loss', 'corrupt-page', 'missing-wal']) {
    it(`${drill}: the same outcome and check names as on the local provider; nothing bind-mounted; nothing left`, async () => {
      const file = drillFor(drill);
      const local = testFolders();
      const d = folders(drill);
      const a = await runCli(['run', file, '--out', local.out, '--provider', 'local'], { env: { PGDRILL_WORK_DIR: local.work } });
      const seen: Parameters<typeof sampleContainers>[0] = [];
      const sampler = setInterval(() => sampleContainers(seen), 300);
      const b = await runCli(['run', file, '--out', d.out, '--provider', 'docker'], { env: { PGDRILL_WORK_DIR: d.work }, as: user }).finally(() => clearInterval(sampler));
      expect(a.code, a.stderr).to.be.oneOf([0, 1]);
      expect(b.code, b.stderr).to.equal(a.code);
      const ra = onlyResult(local.out);
      const rb = onlyResult(d.out);
      expect(rb.environment.provider).to.equal('docker');
      expect(rb.environment.providerReason).to.contain(`image ${IMAGE}`).and.contain('/usr/lib/postgresql/15/bin in the container');
      expect(rb.environment.postgresVersion).to.match(/^15\./);
      expect(outcome(rb)).to.deep.equal(outcome(ra));
      // The drill's own progress lines, relayed from inside as they happen.
      expect(b.stderr).to.match(/restore-files ok/).and.match(/verify ok/);
      expect(seen.length, 'the container was sampled while it ran').to.be.greaterThan(0);
      expect(hostMounts(seen)).to.deep.equal([]);
      expect(seen.every((s) => s.mounts.some(ownVolume)), "the work folders are on the drill's own volume").to.equal(true);
      expect(seen.every((s) => s.network === 'none'), 'no network: the drill reaches nothing outside its container').to.equal(true);
      expect(leftovers()).to.deep.equal([]);
    });
  }

  describe('existing backups, mounted read-only', () => {
    let prod: ProductionCluster;
    before(async () => {
      prod = await productionCluster(path.join(base, 'prod'));
      // The docker user reads the configuration, as a DBA running pgdrill does; the repository stays postgres's.
      chmodSync(prod.pgbackrestConf, 0o644);
      for (let dir = path.dirname(prod.pgbackrestConf); dir.startsWith(base); dir = path.dirname(dir)) chmodSync(dir, 0o755);
    });
    after(() => prod?.stop());

    it("a pgBackRest stanza through the user's config: passes, read-only mounts only, the repository byte for byte the same", async () => {
      const before = hashes(prod.repoDir);
      const file = drillFile('prod-pgbackrest', `name: prod-pgbackrest\nobjectives: { rto: 5m, rpo: 2m }\nsource:\n  pgbackrest: { config: ${prod.pgbackrestConf}, stanza: ${prod.stanza} }\nrecovery: { target: latest }\nverify:\n  - table: orders\n`);
      const d = folders('prod-pgbackrest');
      const seen: Parameters<typeof sampleContainers>[0] = [];
      const sampler = setInterval(() => sampleContainers(seen), 300);
      const run = await runCli(['run', file, '--out', d.out, '--provider', 'docker'], { env: { PGDRILL_WORK_DIR: d.work }, as: user }).finally(() => clearInterval(sampler));
      expect(run.code, run.stderr).to.equal(0);
      const r = onlyResult(d.out);
      expect(r.status, r.diagnosis).to.equal('passed');
      expect(r.source).to.deep.include({ kind: 'pgbackrest', pgMajor: 15 });
      expect(r.recovery.reached).to.equal(true);
      const mounts = hostMounts(seen);
      expect(mounts.length).to.be.greaterThan(0);
      expect(mounts.filter((m) => m.RW || m.Type !== 'bind'), 'only read-only bind mounts').to.deep.equal([]);
      expect([...new Set(mounts.map((m) => m.Source))].sort()).to.deep.equal([prod.pgbackrestConf, prod.repoDir].sort());
      expect(hashes(prod.repoDir)).to.deep.equal(before);
      expect(leftovers()).to.deep.equal([]);
    });
  });

  describe('object storage (s3rver on 127.0.0.1 over TLS)', () => {
    let s3: S3Server;
    before(async () => {
      s3 = await startS3Server(path.join(base, 's3'), ['drills']);
      chmodSync(path.dirname(s3.caFile), 0o755);
      chmodSync(s3.caFile, 0o644);
    });
    after(async () => s3?.stop());

    it("barman-cloud: passes through the host's loopback endpoint; the keys reach the tools but not the container's configuration", async () => {
      const text = readFileSync(path.join(ROOT, 'drills', 'barman-cloud.yaml'), 'utf8').replace('s3://my-drills/barman', 's3://drills/barman').replace(/# endpoint: \S+/, `endpoint: "${s3.endpoint}"`);
      const file = drillFile('barman-cloud', text);
      const d = folders('barman-cloud');
      const seen: Parameters<typeof sampleContainers>[0] = [];
      const sampler = setInterval(() => sampleContainers(seen), 300);
      const env = { PGDRILL_WORK_DIR: d.work, AWS_ACCESS_KEY_ID: s3.accessKey, AWS_SECRET_ACCESS_KEY: s3.secretKey, AWS_CA_BUNDLE: s3.caFile };
      const run = await runCli(['run', file, '--out', d.out, '--provider', 'docker'], { env, as: user }).finally(() => clearInterval(sampler));
      expect(run.code, run.stderr).to.equal(0);
      const r = onlyResult(d.out);
      expect(r.status, r.diagnosis).to.equal('passed');
      expect(r.environment.backupMethod).to.equal('barman-cloud');
      expect(seen.length).to.be.greaterThan(0);
      expect(seen.every((s) => s.network === 'host'), 'a loopback endpoint is reached through the host network').to.equal(true);
      expect(seen.flatMap((s) => s.env).filter((e) => e.includes(s3.secretKey) || e.includes(s3.accessKey))).to.deep.equal([]);
      expect(spawnSync('grep', ['-rl', s3.secretKey, d.out], { encoding: 'utf8' }).stdout.trim(), 'the secret key in an output file').to.equal('');
    }).timeout(300_000);
  });

  it('auto picks docker for an ordinary user when the engine holds the image, and says why', async () => {
    const d = folders('auto');
    const run = await runCli(['run', 'drills/truncate.yaml', '--out', d.out, '--provider', 'auto'], { env: { PGDRILL_WORK_DIR: d.work }, as: user });
    expect(run.code, run.stderr).to.equal(0);
    const r = onlyResult(d.out);
    expect(r.environment.provider).to.equal('docker');
    expect(r.environment.providerReason).to.match(new RegExp(`^auto: a Docker engine answers and holds ${IMAGE.replace(/[.]/g, '\\.')}`));
  });

  it('SIGINT: the drill inside stops, the result says interrupted (exit 130), no container or network is left', async () => {
    const d = folders('sigint');
    let sent = false;
    const run = await runCli(['run', 'drills/quickstart.yaml', '--out', d.out, '--provider', 'docker'], {
      env: { PGDRILL_WORK_DIR: d.work },
      as: user,
      onStderr: (text, child) => {
        if (!sent && text.includes('heartbeat ...')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).to.equal(true);
    expect(run.code, run.stderr).to.equal(130);
    const r = onlyResult(d.out);
    expect(r.status).to.equal('error');
    expect(r.diagnosis).to.contain('interrupted by SIGINT');
    expect(leftovers()).to.deep.equal([]);
  });

  it('SIGKILL leaves the container; pgdrill cleanup (as the same user) removes it', async () => {
    const d = folders('sigkill');
    let killed = false;
    await runCli(['run', 'drills/quickstart.yaml', '--out', d.out, '--provider', 'docker'], {
      env: { PGDRILL_WORK_DIR: d.work },
      as: user,
      onStderr: (text, child) => {
        if (!killed && text.includes('base-backup ...')) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(killed).to.equal(true);
    const left = leftovers();
    expect(left.filter((l) => l.startsWith('container')), 'the killed run left its container').to.have.length(1);
    expect(left.filter((l) => l.startsWith('network')), 'a drill that reaches nothing has no network').to.have.length(0);
    const run = await runCli(['cleanup', '--work-dir', d.work], { as: user });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.match(/removed container [0-9a-f]{12}/);
    expect(leftovers()).to.deep.equal([]);
  });

  it('pgdrill cleanup removes what dead runs labelled and never what a live one did', async () => {
    const owner = (pid: number) => `${hostname()}:${pid}:${processStart(pid)}`;
    const dead = spawnSync('true').pid ?? 999_999;
    const start = (label: string) => docker('run', '-d', '--label', 'pgdrill.managed=true', '--label', `pgdrill.owner=${label}`, '--entrypoint', 'sleep', IMAGE, '300')[0] as string;
    const net = (label: string, name: string) => docker('network', 'create', '--label', 'pgdrill.managed=true', '--label', `pgdrill.owner=${label}`, name)[0] as string;
    const orphan = start(`${hostname()}:${dead}:1`);
    const orphanNet = net(`${hostname()}:${dead}:1`, `pgdrill-test-orphan-${process.pid}`);
    const live = start(owner(process.pid));
    try {
      const run = await runCli(['cleanup'], { as: user });
      expect(run.code).to.equal(0);
      expect(run.stderr).to.contain(`removed container ${orphan.slice(0, 12)}`).and.contain(`removed network pgdrill-test-orphan-${process.pid}`);
      expect(run.stderr).to.contain('and 1 container(s), network(s) or volume(s) of runs that are still alive');
      const left = leftovers();
      expect(left.some((l) => live.startsWith(l.split(' ')[1] ?? '?'))).to.equal(true);
      expect(left.some((l) => orphan.startsWith(l.split(' ')[1] ?? '?') || orphanNet.startsWith(l.split(' ')[1] ?? '?'))).to.equal(false);
    } finally {
      spawnSync('docker', ['rm', '-f', live, orphan], { stdio: 'ignore' });
      spawnSync('docker', ['network', 'rm', orphanNet], { stdio: 'ignore' });
    }
  });

  it('exits 3 before anything starts when the image is neither present nor pullable', async () => {
    const d = folders('absent');
    const run = await runCli(['run', 'drills/quickstart.yaml', '--out', d.out, '--provider', 'docker'], { env: { PGDRILL_WORK_DIR: d.work, PGDRILL_IMAGE: 'pgdrill/absent:0' }, as: user });
    expect(run.code).to.equal(3);
    expect(run.stderr).to.contain('image pgdrill/absent:0 is not present and cannot be pulled').and.contain('scripts/setup.sh --docker');
    expect(leftovers()).to.deep.equal([]);
  });

  it('exits 3 when the image holds another pgdrill (the drill runs inside it)', async () => {
    const d = folders('other-version');
    const run = await runCli(['run', 'drills/quickstart.yaml', '--out', d.out, '--provider', 'docker'], { env: { PGDRILL_WORK_DIR: d.work, PGDRILL_IMAGE: 'pgdrill/postgres:15' }, as: user });
    expect(run.code).to.equal(3);
    expect(run.stderr).to.contain(`image pgdrill/postgres:15 holds no pgdrill`).and.contain(`this is pgdrill ${PGDRILL_VERSION}`);
  });

  it('the PostgreSQL base image behaves like the official one: @testcontainers/postgresql starts it from POSTGRES_* variables', async () => {
    const container = await new PostgreSqlContainer('pgdrill/postgres:15').withDatabase('shop').withUsername('app').withPassword('app-secret').start();
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
});
