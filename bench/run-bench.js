// npm run bench: pgdrill's own cost, measured (never asserted; absolute times vary between machines).
//  1. harness overhead: the quickstart drill (integrity: off) through the CLI vs bench/baseline.sh (the same
//     Postgres steps by hand), alternated A B A B ..., median ratio pgdrill / script (goal <= 1.03); the same
//     drill on docker against local (goal <= 1.10)
//  2. readiness detection latency (server log "ready" line -> pgdrill proceeds; goal <= 50 ms median)
//  3. restore throughput: restore-files MB/s against the script's cp -a of the same backup (goal >= 0.9)
//  4. WAL replay rate, as Postgres performs it
//  5. scale curve: pgbench scale BENCH_SCALES (default 10,50) with BENCH_WAL_SECONDS of pgbench writes to replay
//  6. concurrency: BENCH_CONCURRENCY (default 1,2,4) quickstart drills at once: total time, identical verdicts
//  7. start-up: `pgdrill --help` and `pgdrill validate` against a bare `node -e 1`, alternated (goal <= 2.5 x)
//  8. integrity pass on pgbench scale BENCH_INTEGRITY_SCALE (default 100): quick end to end (with pg_checksums)
//     against cat of the same files cold and warm (goal >= 0.5), full with 1 and 2 connections (bench/integrity.js)
//  9. pgdrill check on a base-backup folder and its WAL archive against node -e 1 (bench/check.js)
// 10. objectives.forecast: the RTO forecast from the smallest scale's rates for the largest scale's backup size
//     and WAL, against the RTO that drill really measured (goal: within 25%)
// 11. restore and WAL replay of an existing backup at pgbench scale BENCH_LIMITS_SCALE (default 100) against cp -a
//     and PostgreSQL replaying the same WAL from pg_wal (bench/limits.js; goals >= 0.9)
// 12. a drill of an existing pgBackRest stanza against the hand-written restore, start, promotion and query
//     (bench/stanza.js; goal <= 1.03)
// 13. at size: a drill of an existing backup at pgbench scale 300 against scale 10 (BENCH_SIZE_SCALES; empty skips
//     it): peak RSS (goal within 10%), progress lines with time left in every long phase, the forecast from the
//     small drill for the large one (goal within 25%) (bench/at-size.js)
//  plus the peak memory of the pgdrill process. Writes bench/results/<date>.json and prints Markdown.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const pairs = Number(env.BENCH_PAIRS ?? 5);
const scales = (env.BENCH_SCALES ?? '10,100').split(',').filter(Boolean).map(Number);
const walSeconds = Number(env.BENCH_WAL_SECONDS ?? 20);
const concurrencies = (env.BENCH_CONCURRENCY ?? '1,2,4').split(',').filter(Boolean).map(Number);
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fixed = (v, d = 3) => (v === null || v === undefined ? 'n/a' : Number(v).toFixed(d));
const log = (t) => process.stderr.write(`${t}\n`);

/** Runs pgdrill on drill files; returns wall seconds, the summary and every result. */
function pgdrill(files, extra = []) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-bench-'));
  const started = performance.now();
  let code = 0;
  try {
    execFileSync(process.execPath, [path.join(root, 'bin/pgdrill.js'), 'run', ...files, '--out', out, ...extra], { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] });
  } catch (e) {
    code = e.status ?? 1;
  }
  const wall = (performance.now() - started) / 1000;
  const endedAt = Date.now();
  const runDir = path.join(out, readdirSync(out).find((f) => f !== 'index.html'));
  const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  const results = summary.drills.map((d) => JSON.parse(readFileSync(d.result, 'utf8')));
  rmSync(out, { recursive: true, force: true });
  // From the end of the drill's last phase (verification, the integrity pass) to the process's exit: stopping
  // servers, removing the work folder, writing reports, evidence and the history page.
  const tail = results.length === 1 ? (endedAt - Date.parse(results[0].phases.at(-1)?.endedAt ?? '')) / 1000 : null;
  return { wall, code, summary, results, tail };
}

function baseline() {
  return JSON.parse(execFileSync('bash', [path.join(root, 'bench/baseline.sh')], { encoding: 'utf8' }).trim().split('\n').at(-1));
}

const phase = (r, name) => r.phases.find((p) => p.name === name)?.seconds ?? null;

// 1-4: alternating pairs, on the local provider like the script (auto would pick docker when an image is there).
// The quickstart drill with integrity: off, as the script does no integrity pass: the same work on both sides.
const benchDir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-bench-drills-'));
const quickstart = path.join(benchDir, 'quickstart.yaml');
writeFileSync(quickstart, `${readFileSync(path.join(root, 'drills/quickstart.yaml'), 'utf8').replace(/\.\.\/fixtures/g, path.join(root, 'fixtures')).trimEnd()}\n  - integrity: off\n`);
process.on('exit', () => rmSync(benchDir, { recursive: true, force: true }));
const A = [];
const B = [];
for (let i = 0; i < pairs; i++) {
  // pgdrill first in odd pairs, the script first in even ones: a slow spell of the disk falls on both alike.
  const b0 = i % 2 === 1 ? baseline() : undefined;
  const a = pgdrill([quickstart], ['--provider', 'local']);
  const b = b0 ?? baseline();
  A.push(a);
  B.push(b);
  log(`pair ${i + 1}/${pairs}: pgdrill ${a.wall.toFixed(2)}s (${a.results[0].status}), script ${b.seconds.toFixed(2)}s`);
}
const ratios = A.map((a, i) => a.wall / B[i].seconds);
const restoreRates = A.map((a) => a.results[0].measured.restoreFilesBytesPerSecond);
const cpRates = B.map((b) => b.cpBytes / b.cpSeconds);
const harness = {
  pairs,
  pgdrillSeconds: median(A.map((a) => a.wall)),
  scriptSeconds: median(B.map((b) => b.seconds)),
  ratio: median(ratios),
  readinessLatencyMs: median(A.map((a) => a.results[0].measured.readinessLatencySeconds * 1000)),
  restoreMBps: median(restoreRates) / 1e6,
  cpMBps: median(cpRates) / 1e6,
  restoreVsCp: median(A.map((a, i) => a.results[0].measured.restoreFilesBytesPerSecond / cpRates[i])),
  walReplayMBps: median(A.map((a) => a.results[0].measured.walReplayBytesPerSecond)) / 1e6,
  rtoSeconds: median(A.map((a) => a.results[0].measured.rtoSeconds)),
  tailSeconds: median(A.map((a) => a.tail)),
  peakRssMB: Math.max(...A.map((a) => a.summary.process?.peakRssBytes ?? 0)) / 2 ** 20,
  phases: Object.fromEntries(A[0].results[0].phases.map((p) => [p.name, median(A.map((a) => phase(a.results[0], p.name)))])),
};

// 1b: the same drill on the docker provider against local, alternated (goal 2: <= 1.10).
const dockerPairs = [];
for (let i = 0; i < Number(env.BENCH_DOCKER_PAIRS ?? 3); i++) {
  // Docker first in odd pairs, local first in even ones, as in every other comparison.
  const l0 = i % 2 === 1 ? pgdrill([quickstart], ['--provider', 'local']) : undefined;
  const d = pgdrill([quickstart], ['--provider', 'docker']);
  const l = l0 ?? pgdrill([quickstart], ['--provider', 'local']);
  if (d.code !== 0) {
    log(`docker: exit ${d.code} (no engine or no image?): not compared`);
    break;
  }
  dockerPairs.push({ docker: d.wall, local: l.wall });
  log(`docker pair ${i + 1}: docker ${d.wall.toFixed(2)}s, local ${l.wall.toFixed(2)}s`);
}
const docker = dockerPairs.length ? { pairs: dockerPairs.length, dockerSeconds: median(dockerPairs.map((p) => p.docker)), localSeconds: median(dockerPairs.map((p) => p.local)), ratio: median(dockerPairs.map((p) => p.docker / p.local)) } : null;

// 5: scale curve.
const curve = [];
for (const scale of scales) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-bench-drill-'));
  const file = path.join(dir, `scale-${scale}.yaml`);
  writeFileSync(
    file,
    `name: scale-${scale}
objectives: { rto: 1h, rpo: 5s }
postgres: { settings: { max_wal_size: 4GB, checkpoint_timeout: 30min } }
workload:
  pgbench: { scale: ${scale}, duration: ${walSeconds}s, clients: 2 }
  heartbeat: 200ms
incident: { kind: drop-table, table: pgbench_branches }
verify:
  - sql: select count(*) from pgbench_accounts
    expect: "${scale * 100000}"
timeouts: { step: 1h }
recovery: { timeout: 1h }
`,
  );
  const r = pgdrill([file], ['--provider', 'local']);
  rmSync(dir, { recursive: true, force: true });
  const res = r.results[0];
  curve.push({
    scale,
    status: res.status,
    backupBytes: res.backup?.sizeBytes ?? null,
    walReplayBytes: res.measured.walReplayBytes,
    measured: res.measured,
    phases: Object.fromEntries(res.phases.map((p) => [p.name, p.seconds])),
    rtoSeconds: res.measured.rtoSeconds,
    walReplayMBps: (res.measured.walReplayBytesPerSecond ?? 0) / 1e6,
    restoreMBps: (res.measured.restoreFilesBytesPerSecond ?? 0) / 1e6,
    peakRssMB: (r.summary.process?.peakRssBytes ?? 0) / 2 ** 20,
  });
  log(`scale ${scale}: ${res.verdict}`);
}

// 10: the forecast pgdrill would have made at the smallest scale for the largest one, against what it measured.
const { forecastInputOf, forecastRto } = await import(path.join(root, 'dist/drill/forecast.js'));
let forecast = null;
if (curve.length >= 2) {
  const small = curve[0];
  const large = curve.at(-1);
  const f = forecastRto({ size: large.backupBytes, walPerHour: large.walReplayBytes ?? 0 }, forecastInputOf(small.measured, (n) => small.phases[n] ?? null, os.totalmem()), 3_600_000);
  forecast = f && { fromScale: small.scale, toScale: large.scale, forecastSeconds: f.rtoSeconds, measuredSeconds: large.rtoSeconds, error: f.rtoSeconds / large.rtoSeconds - 1, assumptions: f.assumptions };
  if (forecast) log(`forecast scale ${small.scale} -> ${large.scale}: ${fixed(forecast.forecastSeconds, 2)}s forecast, ${fixed(forecast.measuredSeconds, 2)}s measured (${fixed(forecast.error * 100, 1)}%)`);
}

// 6: concurrency.
const concurrency = concurrencies.map((n) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-bench-drill-'));
  const files = Array.from({ length: n }, (_, i) => {
    const f = path.join(dir, `c${i}.yaml`);
    writeFileSync(f, readFileSync(path.join(root, 'drills/quickstart.yaml'), 'utf8').replace('name: quickstart-drop-table', `name: concurrent-${i}`).replace(/\.\.\/fixtures/g, path.join(root, 'fixtures')));
    return f;
  });
  const r = pgdrill(files, ['--concurrency', String(n), '--provider', 'local']);
  rmSync(dir, { recursive: true, force: true });
  const row = { drills: n, wallSeconds: r.wall, statuses: r.results.map((x) => x.status), verdictsIdentical: new Set(r.results.map((x) => x.status)).size === 1, medianRto: median(r.results.map((x) => x.measured.rtoSeconds)), peakRssMB: (r.summary.process?.peakRssBytes ?? 0) / 2 ** 20 };
  log(`concurrency ${n}: ${r.wall.toFixed(2)}s, ${row.statuses.join(',')}`);
  return row;
});

// 7: start-up, alternated: node -e 1, pgdrill --help, pgdrill validate (heavy modules load only where used).
const wallOf = (args) => {
  const t = performance.now();
  try {
    execFileSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  } catch {
    // validate's exit code does not matter here
  }
  return (performance.now() - t) / 1000;
};
const startup = { node: [], help: [], validate: [] };
for (let i = 0; i < Number(env.BENCH_STARTUP_RUNS ?? 9); i++) {
  startup.node.push(wallOf(['-e', '1']));
  startup.help.push(wallOf([path.join(root, 'bin/pgdrill.js'), '--help']));
  startup.validate.push(wallOf([path.join(root, 'bin/pgdrill.js'), 'validate', 'drills/quickstart.yaml']));
}
const startupMedians = { nodeSeconds: median(startup.node), helpSeconds: median(startup.help), validateSeconds: median(startup.validate) };
log(`start-up: node ${fixed(startupMedians.nodeSeconds)}s, --help ${fixed(startupMedians.helpSeconds)}s, validate ${fixed(startupMedians.validateSeconds)}s`);

// 8: the integrity pass (its own script: it builds a pgbench cluster of its own).
const integrity = JSON.parse(execFileSync(process.execPath, [path.join(root, 'bench/integrity.js')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 }).trim().split('\n').at(-1));

// 9: pgdrill check (no server started).
const check = JSON.parse(execFileSync(process.execPath, [path.join(root, 'bench/check.js')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1));

// 12: a drill of an existing pgBackRest stanza against the hand-written restore (its own script and stanza).
const stanza = JSON.parse(execFileSync(process.execPath, [path.join(root, 'bench/stanza.js')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 }).trim().split('\n').at(-1));

// 11: restore and replay against the physical limits (its own script: it builds a backup and archive of its own).
const limits = JSON.parse(execFileSync(process.execPath, [path.join(root, 'bench/limits.js')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 }).trim().split('\n').at(-1));

// 14: start-up and tail, the bundled CLI against the same code unbundled (its own script).
const startupDrill = JSON.parse(execFileSync(process.execPath, [path.join(root, 'bench/startup.js')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1));

// 13: at size (its own script: it builds and drills each scale's backup, one at a time).
const atSize = (env.BENCH_SIZE_SCALES ?? '10,300') === '' ? null : JSON.parse(execFileSync(process.execPath, [path.join(root, 'bench/at-size.js')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 }).trim().split('\n').at(-1));

const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.type()} ${os.release()}`, node: process.version };
const postgres = execFileSync('/usr/lib/postgresql/15/bin/postgres', ['--version'], { encoding: 'utf8' }).trim();
const result = { date: new Date().toISOString(), machine, postgres, harness, docker, curve, forecast, concurrency, startup: startupMedians, startupDrill, integrity, check, limits, stanza, atSize, baselineSamples: B, pgdrillSamples: A.map((a) => ({ wall: a.wall, rto: a.results[0].measured.rtoSeconds })) };
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
const file = path.join(root, 'bench/results', `${result.date.slice(0, 10)}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

const h = harness;
const phaseNames = [...new Set(curve.flatMap((c) => Object.keys(c.phases)))];
const md = [
  `${machine.cpus} cores, ${machine.memGiB} GiB, ${postgres}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
  '',
  '| measure | value | goal |',
  '|---|---|---|',
  `| quickstart (integrity: off) wall time, pgdrill / hand-written script (median of ${pairs} alternated pairs) | ${fixed(h.pgdrillSeconds, 2)}s / ${fixed(h.scriptSeconds, 2)}s = **${fixed(h.ratio, 3)}** | <= 1.03 |`,
  `| existing pgBackRest stanza (scale ${stanza.scale}, ${stanza.walSeconds}s of writes), pgdrill / hand-written restore + start + promotion + query (median of ${stanza.pairs} alternated pairs) | ${fixed(stanza.pgdrillSeconds, 2)}s / ${fixed(stanza.scriptSeconds, 2)}s = **${fixed(stanza.ratio, 3)}** | <= 1.03 |`,
  `| after the last phase (verify, integrity) until the process exits (median) | ${fixed(h.tailSeconds, 3)}s | <= 0.5 s |`,
  docker
    ? `| quickstart wall time, provider docker / local (median of ${docker.pairs} alternated pairs) | ${fixed(docker.dockerSeconds, 2)}s / ${fixed(docker.localSeconds, 2)}s = **${fixed(docker.ratio, 2)}** | <= 1.10 |`
    : '| provider docker / local | not measured (no engine or image) | <= 1.10 |',
  `| quickstart (integrity: off), spawn to first phase, bundled / unbundled CLI (median of ${startupDrill.pairs} alternated pairs) | ${fixed(startupDrill.bundled.toFirstPhase, 3)}s / ${fixed(startupDrill.unbundled.toFirstPhase, 3)}s; wall ${fixed(startupDrill.bundled.wall, 2)}s / ${fixed(startupDrill.unbundled.wall, 2)}s | |`,
  `| readiness detection latency (median) | ${fixed(h.readinessLatencyMs, 1)} ms | <= 50 ms |`,
  `| restore-files throughput vs cp -a of the same backup | ${fixed(h.restoreMBps, 0)} MB/s vs ${fixed(h.cpMBps, 0)} MB/s = **${fixed(h.restoreVsCp, 2)}** | >= 0.9 |`,
  `| WAL replay rate (quickstart, mostly start-up) | ${fixed(h.walReplayMBps, 1)} MB/s | |`,
  `| peak memory of the pgdrill process | ${fixed(h.peakRssMB, 0)} MB | < 150 MB |`,
  `| \`pgdrill --help\` / \`node -e 1\` (median) | ${fixed(startupMedians.helpSeconds, 3)}s / ${fixed(startupMedians.nodeSeconds, 3)}s = **${fixed(startupMedians.helpSeconds / startupMedians.nodeSeconds, 2)}** | <= 2.5 |`,
  `| \`pgdrill validate\` / \`node -e 1\` (median) | ${fixed(startupMedians.validateSeconds, 3)}s / ${fixed(startupMedians.nodeSeconds, 3)}s = **${fixed(startupMedians.validateSeconds / startupMedians.nodeSeconds, 2)}** | <= 2.5 |`,
  '',
  `| scale | backup | WAL replayed | ${phaseNames.join(' | ')} | RTO | replay MB/s | peak RSS |`,
  `|---|---|---|${phaseNames.map(() => '---').join('|')}|---|---|---|`,
  ...curve.map((c) => `| ${c.scale} | ${fixed((c.backupBytes ?? 0) / 1e6, 0)} MB | ${fixed((c.walReplayBytes ?? 0) / 1e6, 0)} MB | ${phaseNames.map((n) => fixed(c.phases[n], 2)).join(' | ')} | ${fixed(c.rtoSeconds, 2)} | ${fixed(c.walReplayMBps, 0)} | ${fixed(c.peakRssMB, 0)} MB |`),
  '',
  `| existing backup, pgbench scale ${limits.scale} (${fixed(limits.backupBytes / 1e6, 0)} MB, ${fixed(limits.walBytes / 1e6, 0)} MB of WAL), median of ${limits.pairs} alternated pairs | pgdrill | limit (same bytes, same run) | ratio (best vs best) | goal |`,
  '|---|---|---|---|---|',
  `| restore-files vs \`cp -a\` | ${fixed(limits.restoreSeconds, 2)}s | ${fixed(limits.cpSeconds, 2)}s | **${fixed(limits.restoreVsCp, 2)}** (${fixed(limits.bestRestoreVsCp, 2)}) | >= 0.9 |`,
  `| wal-replay vs PostgreSQL replaying from pg_wal, no restore_command | ${fixed(limits.replaySeconds, 2)}s | ${fixed(limits.pgWalSeconds, 2)}s | **${fixed(limits.replayVsPgWal, 2)}** (${fixed(limits.bestReplayVsPgWal, 2)}) | >= 0.9 |`,
  `| (context) the limit with its own copy of the WAL into pg_wal counted | ${fixed(limits.replaySeconds, 2)}s | ${fixed(limits.pgWalSeconds + limits.walCopySeconds, 2)}s | ${fixed(limits.replayVsPgWalWithCopy, 2)} | |`,
  `| (context) a \`cp\` restore_command, as a DBA would write it | ${fixed(limits.cpCommandSeconds, 2)}s | ${fixed(limits.pgWalSeconds, 2)}s | ${fixed(limits.cpCommandVsPgWal, 2)} | |`,
  '',
  forecast
    ? `Forecast made at scale ${forecast.fromScale} for scale ${forecast.toScale}'s backup and WAL: ${fixed(forecast.forecastSeconds, 2)}s; measured at scale ${forecast.toScale}: ${fixed(forecast.measuredSeconds, 2)}s: **${forecast.error >= 0 ? '+' : ''}${fixed(forecast.error * 100, 1)}%** (goal: within 25%).`
    : 'Forecast: needs two scales (BENCH_SCALES).',
  '',
  '| drills at once | total wall time | verdicts | median RTO | peak RSS |',
  '|---|---|---|---|---|',
  ...concurrency.map((c) => `| ${c.drills} | ${fixed(c.wallSeconds, 2)}s | ${c.statuses.join(', ')} (${c.verdictsIdentical ? 'identical' : 'DIFFERENT'}) | ${fixed(c.medianRto, 2)}s | ${fixed(c.peakRssMB, 0)} MB |`),
  '',
  `| integrity pass, pgbench scale ${integrity.scale} | connections | seconds | MB/s | cat MB/s (same files, same run) | ratio |`,
  '|---|---|---|---|---|---|',
  ...integrity.quick.map((p) => `| quick (${p.cache}: pass ${fixed(p.running, 2)}s + stop + pg_checksums ${fixed(p.checksums, 2)}s beside the page read ${fixed(p.pages ?? 0, 2)}s) | ${p.jobs} | ${fixed(p.seconds, 2)} | ${fixed(p.MBps, 0)} | ${fixed(p.catMBps, 0)} | **${fixed(p.ratioToCat, 3)}** |`),
  ...integrity.passes.map((p) => `| ${p.level} | ${p.jobs} | ${fixed(p.seconds, 1)} | ${fixed(p.MBps, 0)} | ${fixed(p.catMBps, 0)} | **${fixed(p.ratioToCat, 3)}** |`),
  `| pg_checksums (stopped) | 1 | ${fixed(integrity.pgChecksums?.seconds, 1)} | ${fixed(integrity.pgChecksums?.MBps, 0)} | ${fixed(integrity.pgChecksums?.catMBps, 0)} | **${fixed(integrity.pgChecksums?.ratioToCat, 3)}** |`,
  '',
  `quick, median of the rounds: **${fixed(integrity.quickColdRatio, 3)}** of cat cold, **${fixed(integrity.quickWarmRatio, 3)}** warm (goal >= 0.5)${integrity.coldNote ? ` (${integrity.coldNote})` : ''}. full: 1 -> 2 connections ${fixed(integrity.fullSpeedup1to2, 2)}x faster.`,
  '',
  ...(atSize
    ? [
        `| existing backup at size (base-backup folder, default integrity) | page cache | backup | RTO | wall | peak RSS | long phases without time left |`,
        '|---|---|---|---|---|---|---|',
        ...atSize.rows.flatMap((r) => ['warm', 'cold'].filter((c) => r[c]).map((c) => `| scale ${r.scale} | ${c} | ${fixed((r[c].backupBytes ?? 0) / 1e6, 0)} MB | ${fixed(r[c].rtoSeconds, 1)}s | ${fixed(r[c].wallSeconds, 1)}s | ${fixed(r[c].peakRssMB, 0)} MB | ${r[c].longPhases.filter((p) => p.withTimeLeft === 0).map((p) => p.phase).join(', ') || 'none'} |`)),
        '',
        `Peak RSS, scale ${atSize.scales.at(-1)} / ${atSize.scales[0]}: **${fixed(atSize.rssRatio, 3)}** (goal <= 1.10). ` +
          atSize.forecasts.map((f) => `Forecast (${f.cache}) from scale ${f.fromScale} for ${f.toScale}: ${fixed(f.forecastSeconds, 1)}s against ${fixed(f.measuredSeconds, 1)}s measured: **${fixed(f.error * 100, 1)}%**`).join('; ') +
          ' (goal within 25%).',
        '',
      ]
    : []),
  `\`pgdrill check\` on a base-backup folder and its archive (median of ${check.runs}): ${fixed(check.checkSeconds, 3)}s, ${fixed(check.ratio, 2)} x \`node -e 1\` (${fixed(check.nodeSeconds, 3)}s); no server started.`,
  '',
].join('\n');
writeFileSync(path.join(root, 'bench/results', `${result.date.slice(0, 10)}.md`), md);
process.stdout.write(`\n${md}\nwritten to ${path.relative(root, file)}\n`);
