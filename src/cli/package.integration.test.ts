// What users install: `npm pack` of this checkout, installed into an empty project by npm running on Node 20
// (the lowest `engines` allows), 22 and 24 (official binaries, scripts/node-runtimes.sh), then the quickstart
// drill run from the installed package on that Node. A file missing from package.json `files`, a dependency
// left in devDependencies or a syntax a runtime lacks fails here.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, testFolders } from '../test-support/cli.js';

const NPM_CLI = path.join(path.dirname(path.dirname(execFileSync('node', ['-e', 'process.stdout.write(require.resolve("npm/package.json", { paths: [require("path").dirname(process.execPath) + "/../lib/node_modules"] }))'], { encoding: 'utf8' }))), 'npm', 'bin', 'npm-cli.js');

describe('npm package: installs into an empty project and runs the quickstart on Node 20, 22 and 24', function () {
  this.timeout(600_000);
  const { work } = testFolders();
  const runtimes = execFileSync('bash', [path.join(ROOT, 'scripts/node-runtimes.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ') as [string, string]);
  let tarball = '';

  before(function () {
    if (runtimes.length === 0) this.skip(); // not Linux x64: no official binaries to fetch from npm
    const pack = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' })) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = path.join(work, pack[0]?.filename ?? '');
    const files = (pack[0]?.files ?? []).map((f) => f.path);
    expect(files).to.include.members(['bin/pgdrill.js', 'dist/cli/main.js', 'drills/quickstart.yaml', 'fixtures/shop.sql', 'schema/result.schema.json', 'scripts/setup.sh']);
    expect(files.filter((f) => f.endsWith('.test.js') || f.startsWith('src/')), 'no tests or sources in the package').to.deep.equal([]);
  });

  it('engines says what this test runs', () => {
    const engines = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).to.equal('^20.19.0 || ^22.12.0 || ^24.0.0');
    expect(runtimes.map(([m]) => m)).to.deep.equal(['20', '22', '24']);
  });

  for (const major of ['20', '22', '24']) {
    it(`Node ${major}: npm install of the tarball, then pgdrill run on the packaged quickstart passes`, function () {
      const node = runtimes.find(([m]) => m === major)?.[1];
      if (!node) this.skip();
      const project = path.join(work, `project-${major}`);
      mkdirSync(project, { recursive: true });
      writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: `drills-${major}`, private: true, version: '1.0.0' }));
      const env = { ...process.env, PATH: `${path.dirname(node as string)}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1', PGDRILL_WORK_DIR: work };
      execFileSync(node as string, [NPM_CLI, 'install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project, env, stdio: 'pipe' });
      const version = execFileSync(node as string, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
      expect(version.startsWith(`v${major}.`)).to.equal(true);
      const out = execFileSync(node as string, ['node_modules/pgdrill/bin/pgdrill.js', 'run', 'node_modules/pgdrill/drills/quickstart.yaml', '--provider', 'local', '--out', 'reports', '--json'], { cwd: project, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const summary = JSON.parse(out) as { exitCode: number; drills: Array<{ status: string; result: string }> };
      expect(summary.exitCode).to.equal(0);
      expect(summary.drills.map((d) => d.status)).to.deep.equal(['passed']);
      const result = JSON.parse(readFileSync(path.resolve(project, summary.drills[0]?.result ?? ''), 'utf8')) as { environment: { node: string } };
      expect(result.environment.node).to.equal(version);
    });
  }
});
