// npm run bench, section 13 (also alone: node bench/at-size.js): a drill of an existing backup at production-like
// size against the same drill at a small one. For each pgbench scale of BENCH_SIZE_SCALES (default 10,300; 300 is
// about 4.5 GB) a base-backup folder and its WAL archive (BENCH_SIZE_WAL_SECONDS of pgbench writes after the
// backup) are built, then drilled once by `pgdrill run` (target latest, one query, the default integrity pass),
// its stderr kept, then removed before the next scale. Reported:
//   - pgdrill's peak RSS at the large scale against the small one (goal within 10%)
//   - every phase of 10 s or more, and whether it printed a progress line with time left (goal: every one)
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
const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const LONG_PHASE_SECONDS = 10;
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
  execFileSync('sync');
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
    log(`at size: building scale ${scale}, its base backup and ${walSeconds}s of WAL`);
    const build = {};
    run(path.join(bin, 'initdb'), ['-D', primary, '-U', 'postgres', '--auth=trust', '-N', '-k']);
    run('mkdir', ['-p', archive]);
    run(path.join(bin, 'pg_ctl'), ['start', '-D', primary, '-w', '-s', '-l', path.join(dir, 'primary.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses='' -c archive_mode=on -c archive_command='cp %p ${archive}/%f' -c max_wal_size=8GB -c checkpoint_timeout=30min`]);
    // Rows generated by the server (G): the same tables as pgbench's default, faster to build.
    build.initSeconds = seconds(() => run(path.join(bin, 'pgbench'), [...conn, '-i', '-q', '-I', 'dtGvp', '-s', String(scale), 'postgres']));
    build.backupSeconds = seconds(() => run(path.join(bin, 'pg_basebackup'), [...conn, '-D', backup, '-Fp', '-X', 'none', '-c', 'fast']));
    run(path.join(bin, 'pgbench'), [...conn, '-c', '2', '-T', String(walSeconds), 'postgres']);
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
      // cold: the page cache dropped first, so the restore reads the backup from the disk as a production one would.
      if (cache === 'cold') dropCaches();
      log(`at size: drilling scale ${scale} (${cache} page cache)`);
      drills[cache] = drillRow(await drill(file, mkdtempSync(path.join(dir, `out-${cache}-`))));
      const d = drills[cache];
      log(`at size: scale ${scale}, ${cache}: ${d.status}, RTO ${d.rtoSeconds?.toFixed(2)}s, wall ${d.wallSeconds.toFixed(1)}s, peak RSS ${d.peakRssMB.toFixed(0)} MB`);
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
