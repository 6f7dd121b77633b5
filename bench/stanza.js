// npm run bench, section 12 (also alone: node bench/stanza.js): the harness overhead of a drill of an existing
// pgBackRest stanza. A stanza of pgbench scale BENCH_STANZA_SCALE (default 30) with a full backup and
// BENCH_STANZA_WAL_SECONDS (default 15) of pgbench writes archived after it is built once; then
// BENCH_STANZA_PAIRS (default 5) times, alternated (pgdrill first in odd pairs, the script first in even ones):
//   pgdrill    `pgdrill run` of a `source: pgbackrest` drill (the stanza's own config, target latest, one query,
//              integrity: off), wall time of the whole process
//   script     the fastest honest hand-written equivalent: `pgbackrest restore` into a fresh folder, postgres
//              started on it, its log polled until promotion, the same query, an immediate stop, the folder removed
// Ratio: pgdrill / script wall time, median of the pairs (goal <= 1.03). Prints JSON on the last line.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scale = Number(process.env.BENCH_STANZA_SCALE ?? 30);
const pairs = Number(process.env.BENCH_STANZA_PAIRS ?? 5);
const walSeconds = Number(process.env.BENCH_STANZA_WAL_SECONDS ?? 15);
const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const log = (t) => process.stderr.write(`${t}\n`);
const asRoot = process.getuid?.() === 0;
const ids = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) } : undefined;
const asPostgres = (file, args) => (asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args]);
const run = (file, args) => execFileSync(...asPostgres(file, args), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const own = (p) => ids && chownSync(p, ids.uid, ids.gid);

const dir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-bench-stanza-'));
chmodSync(dir, 0o755);
own(dir);
const primary = path.join(dir, 'primary');
const repo = path.join(dir, 'repo');
const conf = path.join(dir, 'pgbackrest.conf');
const port = 20000 + Math.floor(Math.random() * 20000);
const conn = ['-h', dir, '-p', String(port), '-U', 'postgres'];
const query = 'select count(*) from pgbench_branches';

/** The script: restore, start, poll the log for promotion, one query, immediate stop, remove. Wall seconds. */
async function script() {
  const t0 = performance.now();
  const copy = path.join(dir, 'copy');
  run('mkdir', ['-m', '700', copy]);
  run('pgbackrest', [`--config=${conf}`, '--stanza=bench', `--pg1-path=${copy}`, '--archive-mode=off', 'restore']);
  const logFile = path.join(dir, 'copy.log');
  writeFileSync(logFile, '');
  own(logFile);
  const copyPort = port + 1;
  const [file, args] = asPostgres(path.join(bin, 'postgres'), ['-D', copy, '-p', String(copyPort), '-k', dir, '-c', 'listen_addresses=']);
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (b) => appendFileSync(logFile, b));
  for (;;) {
    const text = readFileSync(logFile, 'utf8');
    if (/database system is ready to accept connections/.test(text)) break;
    if (child.exitCode !== null || /FATAL/.test(text)) throw new Error(`recovery failed:\n${text}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const rows = run(path.join(bin, 'psql'), ['-h', dir, '-p', String(copyPort), '-U', 'postgres', '-XqAtc', query, 'postgres']).trim();
  if (rows !== String(scale)) throw new Error(`script: ${query} returned ${rows}`);
  run(path.join(bin, 'pg_ctl'), ['stop', '-D', copy, '-m', 'immediate', '-s']);
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  rmSync(copy, { recursive: true, force: true });
  return (performance.now() - t0) / 1000;
}

function pgdrill(drill) {
  const res = mkdtempSync(path.join(dir, 'out-'));
  const t0 = performance.now();
  execFileSync(process.execPath, [path.join(root, 'bin/pgdrill.js'), 'run', drill, '--provider', 'local', '--out', res], { cwd: root, stdio: 'ignore' });
  const wall = (performance.now() - t0) / 1000;
  const runDir = path.join(res, readdirSync(res).find((f) => f !== 'index.html'));
  const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  const result = JSON.parse(readFileSync(summary.drills[0].result, 'utf8'));
  rmSync(res, { recursive: true, force: true });
  return { wall, status: result.status, rto: result.measured.rtoSeconds, phases: Object.fromEntries(result.phases.map((p) => [p.name, p.seconds])) };
}

let out;
try {
  log(`stanza: building scale ${scale}, a pgBackRest full backup and ${walSeconds}s of archived writes`);
  mkdirSync(repo);
  own(repo);
  for (const d of ['lock', 'log']) {
    mkdirSync(path.join(dir, d));
    own(path.join(dir, d));
  }
  writeFileSync(conf, `[global]\nrepo1-path=${repo}\nlock-path=${dir}/lock\nlog-path=${dir}/log\nlog-level-file=off\nlog-level-console=warn\nstart-fast=y\n\n[bench]\npg1-path=${primary}\npg1-port=${port}\npg1-socket-path=${dir}\npg1-user=postgres\n`, { mode: 0o644 });
  run(path.join(bin, 'initdb'), ['-D', primary, '-U', 'postgres', '--auth=trust', '-N', '-k']);
  run(path.join(bin, 'pg_ctl'), ['start', '-D', primary, '-w', '-s', '-l', path.join(dir, 'primary.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses='' -c archive_mode=on -c "archive_command=pgbackrest --config=${conf} --stanza=bench archive-push %p" -c max_wal_size=4GB`]);
  run('pgbackrest', [`--config=${conf}`, '--stanza=bench', 'stanza-create']);
  run(path.join(bin, 'pgbench'), [...conn, '-i', '-q', '-s', String(scale), 'postgres']);
  run('pgbackrest', [`--config=${conf}`, '--stanza=bench', '--type=full', 'backup']);
  run(path.join(bin, 'pgbench'), [...conn, '-c', '2', '-T', String(walSeconds), 'postgres']);
  run(path.join(bin, 'psql'), [...conn, '-qAtc', 'select pg_switch_wal()', 'postgres']);
  run(path.join(bin, 'pg_ctl'), ['stop', '-D', primary, '-m', 'fast', '-s']);
  const drill = path.join(dir, 'stanza.yaml');
  writeFileSync(drill, `name: bench-stanza\nobjectives: { rto: 1h, rpo: 100d }\nsource:\n  pgbackrest: { stanza: bench, config: ${conf} }\nrecovery: { target: latest, timeout: 1h }\nverify:\n  - sql: ${query}\n    expect: "${scale}"\n  - integrity: off\n`);
  const samples = [];
  for (let i = 0; i < pairs; i++) {
    // pgdrill first in odd pairs, the script first in even ones: a slow spell of the disk falls on both alike.
    let b;
    if (i % 2 === 1) b = await script();
    const a = pgdrill(drill);
    if (a.status !== 'passed') throw new Error(`the stanza drill ${a.status}`);
    if (i % 2 === 0) b = await script();
    samples.push({ pgdrill: a.wall, script: b, rto: a.rto, phases: a.phases });
    log(`stanza pair ${i + 1}/${pairs}: pgdrill ${a.wall.toFixed(2)}s (RTO ${a.rto.toFixed(2)}s), script ${b.toFixed(2)}s`);
  }
  out = {
    scale,
    walSeconds,
    pairs,
    repoBytes: Number(execFileSync('du', ['-sb', repo], { encoding: 'utf8' }).split('\t')[0]),
    pgdrillSeconds: median(samples.map((s) => s.pgdrill)),
    scriptSeconds: median(samples.map((s) => s.script)),
    ratio: median(samples.map((s) => s.pgdrill / s.script)),
    samples,
  };
} finally {
  for (const d of [primary, path.join(dir, 'copy')]) {
    if (existsSync(path.join(d, 'postmaster.pid'))) {
      try {
        run(path.join(bin, 'pg_ctl'), ['stop', '-D', d, '-m', 'immediate', '-s']);
      } catch {
        // already stopped
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
log(`stanza: pgdrill ${out.pgdrillSeconds.toFixed(2)}s / script ${out.scriptSeconds.toFixed(2)}s = ${out.ratio.toFixed(3)}`);
process.stdout.write(`${JSON.stringify(out)}\n`);
