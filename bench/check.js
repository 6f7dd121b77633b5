// npm run bench, section 9 (also alone: node bench/check.js): how long `pgdrill check` takes on a base-backup
// folder with a WAL archive (no server started: the check reads the folder and the archive), against a bare
// `node -e 1` in the same run, as the median of BENCH_CHECK_RUNS alternated runs. Prints JSON on the last line.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const runs = Number(process.env.BENCH_CHECK_RUNS ?? 9);
const asRoot = process.getuid?.() === 0;
const run = (file, args) => execFileSync(asRoot ? 'runuser' : file, asRoot ? ['-u', 'postgres', '--', file, ...args] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-bench-check-'));
chmodSync(dir, 0o755);
if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
const data = path.join(dir, 'data');
const archive = path.join(dir, 'archive');
const port = 20000 + Math.floor(Math.random() * 20000);
const wall = (args) => {
  const t = performance.now();
  try {
    execFileSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  } catch {
    // the verdict does not matter here, only the time
  }
  return (performance.now() - t) / 1000;
};
let out;
try {
  run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-N']);
  run('mkdir', ['-p', archive]);
  run(path.join(bin, 'pg_ctl'), ['start', '-D', data, '-w', '-s', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses='' -c archive_mode=on -c archive_command='cp %p ${archive}/%f'`]);
  run(path.join(bin, 'pg_basebackup'), ['-h', dir, '-p', String(port), '-U', 'postgres', '-D', path.join(dir, 'backup'), '-Ft', '-X', 'none', '-c', 'fast']);
  run(path.join(bin, 'psql'), ['-h', dir, '-p', String(port), '-U', 'postgres', '-c', 'select pg_switch_wal()']);
  run(path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-s']);
  const drill = path.join(dir, 'check.yaml');
  writeFileSync(drill, `name: bench-check\nobjectives: { rto: 15m, rpo: 5m, maxBackupAge: 1d }\nsource:\n  basebackup: { path: ${path.join(dir, 'backup')}, walArchive: ${archive} }\n`);
  const node = [];
  const check = [];
  for (let i = 0; i < runs; i++) {
    node.push(wall(['-e', '1']));
    check.push(wall([path.join(root, 'bin/pgdrill.js'), 'check', drill]));
  }
  out = { runs, nodeSeconds: median(node), checkSeconds: median(check), ratio: median(check) / median(node) };
} finally {
  try {
    run(path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-s']);
  } catch {
    // already stopped
  }
  rmSync(dir, { recursive: true, force: true });
}
process.stderr.write(`pgdrill check (base-backup folder + archive): ${out.checkSeconds.toFixed(3)}s vs node -e 1 ${out.nodeSeconds.toFixed(3)}s\n`);
process.stdout.write(`${JSON.stringify(out)}\n`);
