// npm run bench, section 11 (also alone: node bench/limits.js): restore and WAL replay of an existing backup at
// pgbench scale BENCH_LIMITS_SCALE (default 100) against the physical limits, measured in the same run on the same
// bytes. One base-backup folder (plain) and its WAL archive (BENCH_LIMITS_WAL_SECONDS of pgbench writes after the
// backup) are built once, and copied once untimed (the disk's slow spell after the build falls on no side); then
// BENCH_LIMITS_PAIRS times, alternated (pgdrill first in odd pairs, the limits first in even ones):
//   pgdrill    `pgdrill run` of a `source: basebackup` drill, target latest: its restore-files and wal-replay phases
//   limit      cp -a of the same folder (the restore's limit), then the same WAL put into the copy's pg_wal
//              beforehand (not timed) and PostgreSQL started with no restore_command: start to promotion
//   cp command the same start with the archive served by `restore_command = 'cp archive/%f %p'` (what a DBA would
//              write; context, not a goal)
// Ratios are throughputs (limit seconds / pgdrill seconds): 1.0 = as fast as the limit; medians of the pairs, and
// best against best. Prints JSON on the last line.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scale = Number(process.env.BENCH_LIMITS_SCALE ?? 100);
const pairs = Number(process.env.BENCH_LIMITS_PAIRS ?? 5);
const walSeconds = Number(process.env.BENCH_LIMITS_WAL_SECONDS ?? 20);
const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const log = (t) => process.stderr.write(`${t}\n`);
const asRoot = process.getuid?.() === 0;
const asPostgres = (file, args) => (asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args]);
const run = (file, args) => execFileSync(...asPostgres(file, args), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (fn) => {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-bench-limits-'));
chmodSync(dir, 0o755);
if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
const primary = path.join(dir, 'primary');
const backup = path.join(dir, 'backup');
const archive = path.join(dir, 'archive');
const copy = path.join(dir, 'copy');
const port = 20000 + Math.floor(Math.random() * 20000);
const conn = ['-h', dir, '-p', String(port), '-U', 'postgres'];

/** Starts a server on a copy and waits (reading its log every 5 ms) until it accepts read-write connections. */
async function startToPromotion(dataDir) {
  const logFile = path.join(dir, 'copy.log');
  writeFileSync(logFile, '');
  if (asRoot) chownSync(logFile, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), 0);
  const started = performance.now();
  const [file, args] = asPostgres(path.join(bin, 'postgres'), ['-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=', '-c', 'archive_mode=off']);
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (b) => appendFileSync(logFile, b));
  for (;;) {
    const text = readFileSync(logFile, 'utf8');
    if (/database system is ready to accept connections/.test(text)) break;
    if (child.exitCode !== null || /FATAL/.test(text)) throw new Error(`replay failed:\n${text}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const elapsed = (performance.now() - started) / 1000;
  run(path.join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-s']);
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  return elapsed;
}

// Every restore starts after the same settling (remove the last copy, sync, BENCH_LIMITS_SETTLE_MS): this virtual
// disk stays slow for a while after a large write, even once synced, and neither side may pay for what the step
// before it wrote. A replay starts right after its restore, on both sides, as in a drill: PostgreSQL's start-up
// fsyncs the restored files (SyncDataDirectory), a cost production pays too. The backup and the archive stay in
// the page cache for both sides alike.
function settle() {
  rmSync(copy, { recursive: true, force: true });
  execFileSync('sync');
  execFileSync('sleep', [String(Number(process.env.BENCH_LIMITS_SETTLE_MS ?? 3000) / 1000)]);
}

function freshCopy() {
  settle();
  return seconds(() => run('cp', ['-a', backup, copy]));
}

function redoSeconds(serverLog) {
  const m = /redo done at .* elapsed: ([\d.]+) s/.exec(serverLog);
  return m ? Number(m[1]) : null;
}

function recoveryConf(restoreCommand) {
  run('touch', [path.join(copy, 'recovery.signal')]);
  run('sh', ['-c', `printf '%s\\n' "$1" >> "$2"`, 'sh', `restore_command = '${restoreCommand}'\nrecovery_target_timeline = 'latest'`, path.join(copy, 'postgresql.auto.conf')]);
}

let out;
try {
  log(`limits: building scale ${scale}, its base backup and ${walSeconds}s of WAL`);
  run(path.join(bin, 'initdb'), ['-D', primary, '-U', 'postgres', '--auth=trust', '-N', '-k']);
  run('mkdir', ['-p', archive]);
  run(path.join(bin, 'pg_ctl'), ['start', '-D', primary, '-w', '-s', '-l', path.join(dir, 'primary.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses='' -c archive_mode=on -c archive_command='cp %p ${archive}/%f' -c max_wal_size=4GB -c checkpoint_timeout=30min`]);
  run(path.join(bin, 'pgbench'), [...conn, '-i', '-q', '-s', String(scale), 'postgres']);
  run(path.join(bin, 'pg_basebackup'), [...conn, '-D', backup, '-Fp', '-X', 'none', '-c', 'fast']);
  run(path.join(bin, 'pgbench'), [...conn, '-c', '2', '-T', String(walSeconds), 'postgres']);
  run(path.join(bin, 'psql'), [...conn, '-qAtc', 'select pg_switch_wal()', 'postgres']);
  run(path.join(bin, 'pg_ctl'), ['stop', '-D', primary, '-m', 'fast', '-s']);
  const drill = path.join(dir, 'limits.yaml');
  writeFileSync(
    drill,
    `name: bench-limits\nobjectives: { rto: 1h, rpo: 1h }\nsource:\n  basebackup: { path: ${backup}, walArchive: ${archive} }\nrecovery: { target: latest, timeout: 1h }\nverify:\n  - sql: select count(*) from pgbench_accounts\n    expect: "${scale * 100000}"\n  - integrity: off\n`,
  );
  // The WAL replay needs: from the backup's first segment on.
  const first = /START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)/.exec(readFileSync(path.join(backup, 'backup_label'), 'utf8'))[1];
  const segments = readdirSync(archive).filter((f) => /^[0-9A-F]{24}$/.test(f) && f >= first);
  freshCopy(); // untimed: absorbs the slow spell that follows the build's writes
  const samples = [];
  for (let i = 0; i < pairs; i++) {
    // Alternated: pgdrill first in odd pairs, the limits first in even ones, so a slow spell of this virtual disk
    // (it follows large writes) falls on both sides alike rather than on whichever goes first.
    let result, pgdrillRedo, cpSeconds, walCopySeconds, pgWalSeconds, pgWalRedo, cpCommandSeconds;
    const pgdrillSide = async () => {
      const res = mkdtempSync(path.join(dir, 'out-')); // inside the bench's folder: removed with it, whatever happens
      settle();
      execFileSync(process.execPath, [path.join(root, 'bin/pgdrill.js'), 'run', drill, '--provider', 'local', '--out', res], { cwd: root, stdio: 'ignore' });
      const runDir = path.join(res, readdirSync(res).find((f) => f !== 'index.html'));
      const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
      result = JSON.parse(readFileSync(summary.drills[0].result, 'utf8'));
      pgdrillRedo = redoSeconds(readFileSync(path.join(path.dirname(summary.drills[0].result), 'logs', 'sandbox-server.log'), 'utf8'));
      rmSync(res, { recursive: true, force: true });
    };
    const limitSide = async () => {
      cpSeconds = freshCopy();
      // Not counted in the limit (the definition), but said: what putting the WAL there cost.
      walCopySeconds = seconds(() => run('cp', [...segments.map((s) => path.join(archive, s)), path.join(copy, 'pg_wal')]));
      recoveryConf('false');
      pgWalSeconds = await startToPromotion(copy);
      pgWalRedo = redoSeconds(readFileSync(path.join(dir, 'copy.log'), 'utf8'));
      if (process.env.BENCH_LIMITS_LOG) writeFileSync(process.env.BENCH_LIMITS_LOG, readFileSync(path.join(dir, 'copy.log')));
      freshCopy();
      recoveryConf(`cp ${archive}/%f %p`);
      cpCommandSeconds = await startToPromotion(copy);
    };
    for (const side of i % 2 === 0 ? [pgdrillSide, limitSide] : [limitSide, pgdrillSide]) await side();
    const phase = (name) => result.phases.find((p) => p.name === name)?.seconds;
    const sample = {
      status: result.status,
      restoreSeconds: phase('restore-files'),
      replaySeconds: phase('wal-replay'),
      walReplayBytes: result.measured.walReplayBytes ?? null,
      walFilesFetched: result.measured.walFilesFetched ?? null,
      walFilesStaged: result.measured.walFilesStaged ?? null,
      walFetchSeconds: result.measured.walFetchSeconds ?? null,
      cpSeconds,
      pgWalSeconds,
      cpCommandSeconds,
      walCopySeconds,
      // The server's own count of the redo loop ("redo done ... elapsed"), start-up and checkpoint left out.
      pgdrillRedo,
      pgWalRedo,
    };
    samples.push(sample);
    log(
      `limits pair ${i + 1}/${pairs} (${result.status}): restore ${sample.restoreSeconds.toFixed(2)}s vs cp -a ${cpSeconds.toFixed(2)}s; replay ${sample.replaySeconds.toFixed(2)}s vs pg_wal ${pgWalSeconds.toFixed(2)}s (cp restore_command ${cpCommandSeconds.toFixed(2)}s); redo loop ${sample.pgdrillRedo}s vs ${sample.pgWalRedo}s; ${sample.walFilesStaged} of ${sample.walFilesFetched} files staged, ${sample.walFetchSeconds?.toFixed(2)}s in restore_command`,
    );
  }
  const m = (k) => median(samples.map((s) => s[k]));
  out = {
    scale,
    pairs,
    backupBytes: Number(run('du', ['-sb', backup]).split('\t')[0]),
    walBytes: segments.length * 16 * 2 ** 20,
    restoreSeconds: m('restoreSeconds'),
    cpSeconds: m('cpSeconds'),
    restoreVsCp: median(samples.map((s) => s.cpSeconds / s.restoreSeconds)),
    replaySeconds: m('replaySeconds'),
    pgWalSeconds: m('pgWalSeconds'),
    cpCommandSeconds: m('cpCommandSeconds'),
    replayVsPgWal: median(samples.map((s) => s.pgWalSeconds / s.replaySeconds)),
    // This disk's speed drifts between steps (write-back of what earlier steps wrote): the best of each side too.
    bestRestoreVsCp: Math.min(...samples.map((s) => s.cpSeconds)) / Math.min(...samples.map((s) => s.restoreSeconds)),
    bestReplayVsPgWal: Math.min(...samples.map((s) => s.pgWalSeconds)) / Math.min(...samples.map((s) => s.replaySeconds)),
    cpCommandVsPgWal: median(samples.map((s) => s.pgWalSeconds / s.cpCommandSeconds)),
    walCopySeconds: m('walCopySeconds'),
    replayVsPgWalWithCopy: median(samples.map((s) => (s.pgWalSeconds + s.walCopySeconds) / s.replaySeconds)),
    samples,
  };
} finally {
  for (const d of [primary, copy]) {
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
log(`limits: restore ${out.restoreVsCp.toFixed(2)} of cp -a, replay ${out.replayVsPgWal.toFixed(2)} of pg_wal (a cp restore_command: ${out.cpCommandVsPgWal.toFixed(2)})`);
process.stdout.write(`${JSON.stringify(out)}\n`);
