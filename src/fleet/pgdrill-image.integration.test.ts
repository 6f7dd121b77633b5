// The image of pgdrill itself (scripts/pgdrill-image.sh, built by setup.sh --docker), smoke-tested on the local
// Docker engine: the quickstart drill runs inside it and passes; the tools a fleet needs are in it, with the
// versions the report will name; the container is gone afterwards.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PGDRILL_VERSION } from '../version.js';

const IMAGE = `pgdrill/pgdrill:${PGDRILL_VERSION}`;

describe('the pgdrill image (real Docker engine)', function () {
  this.timeout(300_000);

  before(function () {
    const found = spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' });
    if (found.status !== 0) throw new Error(`${IMAGE} is missing: bash scripts/setup.sh --docker (or scripts/pgdrill-image.sh) builds it`);
  });

  it('runs the quickstart drill inside the container and passes; Node, pgBackRest, Barman and barman-cloud are in it', () => {
    const name = `pgdrill-smoke-${randomBytes(3).toString('hex')}`;
    const run = spawnSync('docker', ['run', '--rm', '--name', name, IMAGE, 'run', '/opt/pgdrill/drills/quickstart.yaml', '--out', '/tmp/reports', '--provider', 'local', '--json'], { encoding: 'utf8', timeout: 240_000 });
    expect(run.status, run.stderr).to.equal(0);
    const summary = JSON.parse(run.stdout) as { drills: Array<{ drill: string; status: string }> };
    expect(summary.drills).to.deep.equal([{ ...summary.drills[0], drill: 'quickstart-drop-table', status: 'passed' }]);
    expect(run.stderr).to.match(/PASSED quickstart-drop-table/);
    expect(execFileSync('docker', ['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Names}}'], { encoding: 'utf8' }).trim(), 'container left').to.equal('');
    const tool = (entry: string, ...args: string[]) => execFileSync('docker', ['run', '--rm', '--entrypoint', entry, IMAGE, ...args], { encoding: 'utf8' }).trim();
    expect(tool('node', '--version')).to.match(/^v22\./);
    expect(tool('pgbackrest', 'version')).to.match(/^pgBackRest 2\.\d+/);
    expect(tool('barman', '--version')).to.match(/^3\.\d+/);
    expect(tool('barman-cloud-backup', '--version')).to.match(/3\.\d+/);
    expect(tool('pgdrill', '--version')).to.equal(PGDRILL_VERSION);
  });
});
