// npm run bench, section 8 (also alone: node bench/integrity.js): the integrity pass on pgbench scale
// BENCH_INTEGRITY_SCALE (default 100) with pgdrill's own code (dist/), against reading the same files with cat
// in the same run. quick (the default) end to end as a drill runs it (the pass, the clean stop, pg_checksums
// over every block) against cat of every relation file, cold (page cache dropped, root only) and warm,
// BENCH_INTEGRITY_ROUNDS (default 3) rounds each, median ratio; full with 1 and 2 connections (warm); then
// pg_checksums alone against cat of the whole data folder. Prints JSON on the last line.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { checkIntegrity } = await import(path.join(root, 'dist/verify/integrity/integrity.js'));
const { scanStoppedCopy } = await import(path.join(root, 'dist/verify/integrity/page-scan.js'));
const scale = Number(process.env.BENCH_INTEGRITY_SCALE ?? 100);
const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const log = (t) => process.stderr.write(`${t}\n`);
const asRoot = process.getuid?.() === 0;
const run = (file, args) => execFileSync(asRoot ? 'runuser' : file, asRoot ? ['-u', 'postgres', '--', file, ...args] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const dir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-bench-integrity-'));
chmodSync(dir, 0o755);
if (asRoot) {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
}
const data = path.join(dir, 'data');
const port = 20000 + Math.floor(Math.random() * 20000);
const connect = async (database = 'postgres') => {
  const c = new pg.Client({ host: dir, port, user: 'postgres', database });
  await c.connect();
  return c;
};
const instance = {
  connect,
  async query(sql, params) {
    const c = await connect();
    try {
      return (await c.query(sql, params)).rows;
    } finally {
      await c.end();
    }
  },
};

/** Seconds and bytes of cat over every file below the folders, to /dev/null. */
function cat(folders) {
  const files = folders.flatMap((f) => readdirSync(f, { recursive: true }).map((n) => path.join(f, n))).filter((f) => statSync(f).isFile());
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
  const t = performance.now();
  for (let i = 0; i < files.length; i += 500) execFileSync('cat', files.slice(i, i + 500), { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 });
  return { seconds: (performance.now() - t) / 1000, bytes };
}

const out = { scale, passes: [], quick: [] };
const dropCaches = () => {
  execFileSync('sync');
  writeFileSync('/proc/sys/vm/drop_caches', '3');
};
const canDrop = (() => {
  try {
    dropCaches();
    return true;
  } catch {
    return false;
  }
})();
const pgCtl = (...args) => run(path.join(bin, 'pg_ctl'), [...args, '-D', data, '-s']);
const start = () => pgCtl('start', '-w', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses='' -c shared_buffers=256MB -c max_wal_size=8GB -c checkpoint_timeout=30min -c fsync=off`);
/** quick as a drill runs it: the pass while the server runs, the clean stop, then pg_checksums over every block
 * and the page read of the tables quick left to it, at once (stage-integrity.ts). */
async function quick(jobs) {
  const t = performance.now();
  const pass = await checkIntegrity(instance, { integrity: 'quick', jobs, inRto: false }, { signal: new AbortController().signal, pgChecksums: true });
  const running = (performance.now() - t) / 1000;
  pgCtl('stop', '-m', 'fast');
  const stopped = performance.now();
  const checksumsRun = promisify(execFile)(asRoot ? 'runuser' : path.join(bin, 'pg_checksums'), [...(asRoot ? ['-u', 'postgres', '--', path.join(bin, 'pg_checksums')] : []), '--check', '-D', data]).then(() => (performance.now() - stopped) / 1000);
  const pagesRun = scanStoppedCopy(pass.pageScan ?? [], data);
  const [checksums, pages] = await Promise.all([checksumsRun, pagesRun]);
  const findings = pass.findings.length + pages.findings.length;
  return { seconds: (performance.now() - t) / 1000, running, checksums, pages: pages.seconds, pageTables: pages.tables, findings, scanned: pass.checks[0]?.detail };
}
try {
  run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--data-checksums', '-N']);
  start();
  log(`integrity bench: pgbench -i -s ${scale} ...`);
  run(path.join(bin, 'pgbench'), ['-i', '-s', String(scale), '-q', '-h', dir, '-p', String(port), '-U', 'postgres', 'postgres']);
  await instance.query('checkpoint');
  const [db] = await instance.query(`select oid::text from pg_database where datname = 'postgres'`);
  const base = path.join(data, 'base', db.oid);
  // quick, the default, end to end, against cat of every relation file of every database (what pg_checksums
  // reads): cold (page cache dropped before each, root only) and warm (cat just before), alternated.
  const relationFiles = [path.join(data, 'base'), path.join(data, 'global')];
  const rounds = Number(process.env.BENCH_INTEGRITY_ROUNDS ?? 3);
  for (const cache of canDrop ? ['cold', 'warm'] : ['warm']) {
    for (let i = 0; i < rounds; i++) {
      if (cache === 'cold') dropCaches();
      const c = cat(relationFiles);
      if (cache === 'cold') dropCaches();
      const q = await quick(2);
      start();
      const row = { cache, jobs: 2, ...q, bytes: c.bytes, MBps: c.bytes / q.seconds / 1e6, catSeconds: c.seconds, catMBps: c.bytes / c.seconds / 1e6 };
      row.ratioToCat = c.seconds / q.seconds;
      out.quick.push(row);
      log(`quick ${cache} #${i + 1}: ${q.seconds.toFixed(2)}s (running ${q.running.toFixed(2)}s, pg_checksums ${q.checksums.toFixed(2)}s beside the page read ${q.pages.toFixed(2)}s of ${q.pageTables} tables) vs cat ${c.seconds.toFixed(2)}s = ${row.ratioToCat.toFixed(3)}`);
    }
    const rows = out.quick.filter((r) => r.cache === cache);
    out[`quick${cache === 'cold' ? 'Cold' : 'Warm'}Ratio`] = rows.map((r) => r.ratioToCat).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
  }
  if (!canDrop) out.coldNote = 'not root: the page cache cannot be dropped, cold not measured';
  // full, the slower pass (every row decoded, every index and heap checked), warm, against cat of the database.
  for (const jobs of [1, 2]) {
    const c = cat([base]);
    const t = performance.now();
    const pass = await checkIntegrity(instance, { integrity: 'full', jobs, inRto: false }, { signal: new AbortController().signal });
    const seconds = (performance.now() - t) / 1000;
    const row = { level: 'full', jobs, seconds, bytes: c.bytes, findings: pass.findings.length, MBps: c.bytes / seconds / 1e6, catMBps: c.bytes / c.seconds / 1e6 };
    row.ratioToCat = row.MBps / row.catMBps;
    row.checks = Object.fromEntries(pass.checks.map((x) => [x.name, x.seconds]));
    out.passes.push(row);
    log(`full, ${jobs} job(s): ${seconds.toFixed(1)}s, ${row.MBps.toFixed(0)} MB/s vs cat ${row.catMBps.toFixed(0)} MB/s = ${row.ratioToCat.toFixed(3)}`);
  }
  out.fullSpeedup1to2 = out.passes[0].seconds / out.passes[1].seconds;
  pgCtl('stop', '-m', 'fast');
  const c = cat([data]);
  const t = performance.now();
  run(path.join(bin, 'pg_checksums'), ['--check', '-D', data]);
  const s = (performance.now() - t) / 1000;
  out.pgChecksums = { seconds: s, MBps: c.bytes / s / 1e6, catMBps: c.bytes / c.seconds / 1e6, ratioToCat: c.seconds / s };
  log(`pg_checksums alone (warm): ${s.toFixed(1)}s = ${out.pgChecksums.ratioToCat.toFixed(3)} of cat`);
} finally {
  try {
    run(path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-s']);
  } catch {
    // already stopped
  }
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(out)}\n`);
