// npm run bench, section 13 (also alone: node bench/at-size.js): a drill of an existing backup at production-like
// size against the same drill at a small one. For each pgbench scale of BENCH_SIZE_SCALES (default 10,300; 300 is
// about 4.5 GB) a base-backup folder and its WAL archive (pgbench writes after the backup until the WAL is
// BENCH_SIZE_WAL_RATIO, default 0.8, of the backup's size) are built, then drilled by `pgdrill run` (target
// latest, one query, the default integrity pass) BENCH_SIZE_REPEAT times with a warm and a cold page cache, its
// stderr kept, then removed before the next scale. Reported:
//   - pgdrill's peak RSS at the large scale against the small one (goal within 10%)
//   - every phase of 5 s or more (one progress line at the default interval), and whether it printed a progress line with time left (goal: every one)
//   - the RTO forecast made from the small drill's rates for the large backup and WAL (forecast.ts, as a user's
//     objectives.forecast would) against the RTO the large drill measured (goal within 25%)
// Prints JSON on the last line.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scales = (process.env.BENCH_SIZE_SCALES ?? '10,300').split(',').filter(Boolean).map(Number);
const walSeconds = Number(process.env.BENCH_SIZE_WAL_SECONDS ?? 20);
const repeats = Number(process.env.BENCH_SIZE_REPEAT ?? 3);
const walRatio = Number(process.env.BENCH_SIZE_WAL_RATIO ?? 0.8);
const walMaxSeconds = Number(process.env.BENCH_SIZE_WAL_MAX_SECONDS ?? 400);
const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
// A phase this long prints at least one progress line at the default interval (PGDRILL_PROGRESS_SECONDS, 5 s).
const LONG_PHASE_SECONDS = 5;
const log = (t) => process.stderr.write(`${t}\n`);
const asRoot = process.getuid?.() === 0;
const asPostgres = (file, args) => (asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args]);
const run = (file, args) => execFileSync(...asPostgres(file, args), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
const seconds = (fn) => {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
};

/** pgdrill run, its stderr kept: wall seconds, exit code, stderr, summary and result. */
function drill(file, out) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'bin/pgdrill.js'), 'run', file, '--provider', 'local', '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    child.on('exit', (code) => {
      const wall = (performance.now() - started) / 1000;
      const runDir = path.join(out, readdirSync(out).find((f) => f !== 'index.html'));
      const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
      resolve({ wall, code, stderr, summary, result: JSON.parse(readFileSync(summary.drills[0].result, 'utf8')) });
    });
  });
}

/** Phases of LONG_PHASE_SECONDS or more, each with its progress lines: "[  12.3s] name 1.2 GB of 4.5 GB (27%), 80 MB/s, about 41s left". */
function progressOf(stderr, phases) {
  const lines = stderr.split('\n');
  return phases
    .filter((p) => p.seconds >= LONG_PHASE_SECONDS)
    .map((p) => {
      const mine = lines.filter((l) => new RegExp(`^\\[\\s*[\\d.]+s\\] ${p.name} .*(about \\S+ left|finishing|starting|so far)`).test(l));
      return { phase: p.name, seconds: p.seconds, progressLines: mine.length, withTimeLeft: mine.filter((l) => /about \S+ left/.test(l)).length, example: mine.find((l) => /left/.test(l)) ?? mine[0] ?? null };
    });
}

/** One drill's figures, from its result and stderr. */
function drillRow(d) {
  const r = d.result;
  return {
    status: r.status,
    exitCode: d.code,
    wallSeconds: d.wall,
    rtoSeconds: r.measured.rtoSeconds,
    backupBytes: r.backup?.sizeBytes ?? r.source?.sizeBytes ?? null,
    walReplayBytes: r.measured.walReplayBytes ?? null,
    measured: r.measured,
    phases: Object.fromEntries(r.phases.map((p) => [p.name, p.seconds])),
    peakRssMB: (d.summary.process?.peakRssBytes ?? 0) / 2 ** 20,
    integrity: r.integrity ? { level: r.integrity.level, bytesRead: r.integrity.bytesRead, readSeconds: r.integrity.readSeconds, checksumsSeconds: r.integrity.checksums?.seconds ?? null, blocksScanned: r.integrity.checksums?.blocksScanned ?? null } : null,
    longPhases: progressOf(d.stderr, r.phases),
  };
}

const canDropCaches = asRoot && process.platform === 'linux' && process.env.BENCH_SIZE_COLD !== '0';
function dropCaches() {
  writeFileSync('/proc/sys/vm/drop_caches', '3');
}

async function atScale(scale) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-bench-size-'));
  chmodSync(dir, 0o755);
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  const primary = path.join(dir, 'primary');
  const backup = path.join(dir, 'backup');
  const archive = path.join(dir, 'archive');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const conn = ['-h', dir, '-p', String(port), '-U', 'postgres'];
  try {
    log(`at size: building scale ${scale}, its base backup and WAL of ${walRatio} times its size (at least ${walSeconds}s of writes, at most ${walMaxSeconds}s)`);
    const build = {};
    run(path.join(bin, 'initdb'), ['-D', primary, '-U', 'postgres', '--auth=trust', '-N', '-k']);
    run('mkdir', ['-p', archive]);
    run(path.join(bin, 'pg_ctl'), ['start', '-D', primary, '-w', '-s', '-l', path.join(dir, 'primary.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses='' -c archive_mode=on -c archive_command='cp %p ${archive}/%f' -c max_wal_size=8GB -c checkpoint_timeout=30min`]);
    // Rows generated by the server (G): the same tables as pgbench's default, faster to build.
    build.initSeconds = seconds(() => run(path.join(bin, 'pgbench'), [...conn, '-i', '-q', '-I', 'dtGvp', '-s', String(scale), 'postgres']));
    build.backupSeconds = seconds(() => run(path.join(bin, 'pg_basebackup'), [...conn, '-D', backup, '-Fp', '-X', 'none', '-c', 'fast']));
    // WAL in proportion to the data (BENCH_SIZE_WAL_RATIO of the backup's size, after at least walSeconds of
    // writes): the same workload per byte at every scale, as a production database replays a day of its WAL.
    const lsn = () => run(path.join(bin, 'psql'), [...conn, '-qAtc', 'select pg_current_wal_lsn()', 'postgres']).trim();
    const [hi, lo] = lsn().split('/').map((h) => parseInt(h, 16));
    const backupLsn = hi * 2 ** 32 + lo;
    const walOf = () => {
      const [h, l] = lsn().split('/').map((x) => parseInt(x, 16));
      return h * 2 ** 32 + l - backupLsn;
    };
    const backupBytes = Number(run('du', ['-sb', backup]).split('\t')[0]);
    const writesStarted = performance.now();
    run(path.join(bin, 'pgbench'), [...conn, '-c', '2', '-T', String(walSeconds), 'postgres']);
    while (walOf() < walRatio * backupBytes && (performance.now() - writesStarted) / 1000 < walMaxSeconds) run(path.join(bin, 'pgbench'), [...conn, '-c', '2', '-T', '10', 'postgres']);
    build.writeSeconds = (performance.now() - writesStarted) / 1000;
    build.walBytes = walOf();
    run(path.join(bin, 'psql'), [...conn, '-qAtc', 'select pg_switch_wal()', 'postgres']);
    run(path.join(bin, 'pg_ctl'), ['stop', '-D', primary, '-m', 'fast', '-s']);
    rmSync(primary, { recursive: true, force: true }); // the disk holds one copy fewer during the drill
    const file = path.join(dir, 'at-size.yaml');
    writeFileSync(
      file,
      `name: bench-at-size-${scale}\nobjectives: { rto: 1h, rpo: 1h }\nsource:\n  basebackup: { path: ${backup}, walArchive: ${archive} }\nrecovery: { target: latest, timeout: 1h }\ntimeouts: { step: 1h }\nverify:\n  - sql: select count(*) from pgbench_accounts\n    expect: "${scale * 100000}"\n`,
    );
    const drills = {};
    for (const cache of canDropCaches ? ['warm', 'cold'] : ['warm']) {
      const runs = [];
      for (let i = 0; i < repeats; i++) {
        // Every drill starts with nothing waiting to be written (the build's and the last drill's pages flushed), as
        // a backup taken long ago would; cold: the page cache dropped too, so the restore reads the backup from disk.
        execFileSync('sync');
        if (cache === 'cold') dropCaches();
        log(`at size: drilling scale ${scale} (${cache} page cache, ${i + 1} of ${repeats})`);
        runs.push(drillRow(await drill(file, mkdtempSync(path.join(dir, `out-${cache}-`)))));
      }
      // The run of median RTO, whole (its phases and numbers belong together), and every run's RTO.
      const d = [...runs].sort((a, b) => (a.rtoSeconds ?? Infinity) - (b.rtoSeconds ?? Infinity))[Math.floor(runs.length / 2)];
      drills[cache] = { ...d, rtoSecondsOfRuns: runs.map((r) => r.rtoSeconds) };
      log(`at size: scale ${scale}, ${cache}: ${d.status}, median RTO ${d.rtoSeconds?.toFixed(2)}s (${runs.map((r) => r.rtoSeconds?.toFixed(2)).join(', ')}), wall ${d.wallSeconds.toFixed(1)}s, peak RSS ${d.peakRssMB.toFixed(0)} MB`);
      for (const p of d.longPhases) log(`  ${p.phase} ${p.seconds.toFixed(1)}s: ${p.progressLines} progress line(s), ${p.withTimeLeft} with time left; e.g. ${p.example}`);
    }
    return { scale, build, ...drills };
  } finally {
    try {
      run(path.join(bin, 'pg_ctl'), ['stop', '-D', primary, '-m', 'immediate', '-s']);
    } catch {
      // stopped already, or never started
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = [];
for (const scale of scales) rows.push(await atScale(scale));
const small = rows[0];
const large = rows.at(-1);
const { forecastInputOf, forecastRto } = await import(path.join(root, 'dist/drill/forecast.js'));

/** What a user of the small drill would write: objectives.forecast: { size: <the large backup>, walPerHour: <its WAL>, backupEvery: 1h }; as assemble-result.ts passes it. */
function forecastFor(cache) {
  const s = small[cache];
  const l = large[cache];
  if (!s || !l) return null;
  const f = forecastRto({ size: l.backupBytes, walPerHour: l.walReplayBytes ?? 0 }, forecastInputOf(s.measured, (n) => s.phases[n] ?? null, os.totalmem()), 3_600_000);
  const measuredParts = { restore: l.phases['restore-files'], replay: l.phases['wal-replay'], verify: l.phases['verify'] };
  return f && { cache, fromScale: small.scale, toScale: large.scale, forecastSeconds: f.rtoSeconds, measuredSeconds: l.rtoSeconds, error: f.rtoSeconds / l.rtoSeconds - 1, parts: { restore: f.restoreSeconds, replay: f.replaySeconds, verify: f.verifySeconds, fixed: f.fixedSeconds }, measuredParts, assumptions: f.assumptions };
}

const forecasts = ['warm', 'cold'].map(forecastFor).filter(Boolean);
const out = {
  scales,
  walSeconds,
  rows,
  rssRatio: small.warm.peakRssMB > 0 ? large.warm.peakRssMB / small.warm.peakRssMB : null,
  rssRatioCold: small.cold && large.cold ? large.cold.peakRssMB / small.cold.peakRssMB : null,
  longPhasesWithoutTimeLeft: ['warm', 'cold'].flatMap((c) => (large[c]?.longPhases ?? []).filter((p) => p.withTimeLeft === 0).map((p) => `${c}: ${p.phase}`)),
  forecasts,
};
for (const f of forecasts) log(`at size: forecast (${f.cache}) from scale ${f.fromScale} for ${f.toScale}: ${f.forecastSeconds.toFixed(1)}s, measured ${f.measuredSeconds.toFixed(1)}s (${(f.error * 100).toFixed(1)}%)`);
log(`at size: peak RSS ${small.warm.peakRssMB.toFixed(0)} MB -> ${large.warm.peakRssMB.toFixed(0)} MB (${out.rssRatio?.toFixed(3)})`);
process.stdout.write(`${JSON.stringify(out)}\n`);
