// npm run bench: runs the quickstart drill N times (default 5) through the real CLI and reports, per phase,
// the median time, plus the harness overhead = drill wall time - time inside child commands - time waiting
// for Postgres (replay/readiness). Writes bench/results/<date>.json and prints a Markdown table.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const drill = process.argv[2] ?? 'drills/quickstart.yaml';
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const samples = [];
for (let i = 0; i < runs; i++) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-bench-'));
  const started = performance.now();
  execFileSync(process.execPath, [path.join(root, 'bin/pgdrill.js'), 'run', drill, '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const wall = (performance.now() - started) / 1000;
  const runDir = path.join(out, readdirSync(out)[0]);
  const drillDir = path.join(runDir, readdirSync(runDir).find((f) => f !== 'summary.json'));
  const r = JSON.parse(readFileSync(path.join(drillDir, 'result.json'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  const phaseSeconds = r.phases.reduce((s, p) => s + p.seconds, 0);
  const commandSeconds = r.commands.reduce((s, c) => s + c.seconds, 0);
  const replay = r.phases.find((p) => p.name === 'wal-replay')?.seconds ?? 0;
  const startCmd = r.commands.find((c) => c.label === 'pg_ctl-start-restore')?.seconds ?? 0;
  const primaryReady = r.phases.find((p) => p.name === 'provision-primary')?.seconds ?? 0;
  const initdb = r.commands.find((c) => c.label === 'initdb-primary')?.seconds ?? 0;
  // Waiting on the server: replay (minus the pg_ctl command already counted) and the primary's start-up.
  const serverWait = replay - startCmd + Math.max(0, primaryReady - initdb - (r.commands.find((c) => c.label === 'pg_ctl-start-primary')?.seconds ?? 0));
  samples.push({
    wall,
    phases: Object.fromEntries(r.phases.map((p) => [p.name, p.seconds])),
    rto: r.measured.rtoSeconds,
    rpo: r.measured.rpoSeconds,
    status: r.status,
    phaseSeconds,
    commandSeconds,
    serverWait,
    harness: phaseSeconds - commandSeconds - serverWait,
    readinessLatency: r.measured.readinessLatencySeconds,
    walRate: r.measured.walReplayBytesPerSecond,
  });
  process.stderr.write(`run ${i + 1}/${runs}: ${r.verdict}\n`);
}

const phaseNames = Object.keys(samples[0].phases);
const rows = phaseNames.map((n) => [n, median(samples.map((s) => s.phases[n])).toFixed(3)]);
const summary = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.type()} ${os.release()}`, node: process.version },
  postgres: execFileSync('/usr/lib/postgresql/15/bin/postgres', ['--version'], { encoding: 'utf8' }).trim(),
  drill,
  runs,
  statuses: samples.map((s) => s.status),
  medians: {
    wallSeconds: median(samples.map((s) => s.wall)),
    rtoSeconds: median(samples.map((s) => s.rto)),
    rpoSeconds: median(samples.map((s) => s.rpo)),
    phaseTotalSeconds: median(samples.map((s) => s.phaseSeconds)),
    commandSeconds: median(samples.map((s) => s.commandSeconds)),
    serverWaitSeconds: median(samples.map((s) => s.serverWait)),
    harnessOverheadSeconds: median(samples.map((s) => s.harness)),
    readinessLatencySeconds: median(samples.map((s) => s.readinessLatency ?? 0)),
    walReplayMiBPerSecond: median(samples.map((s) => (s.walRate ?? 0) / 2 ** 20)),
  },
  phases: Object.fromEntries(rows),
  samples,
};
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
const file = path.join(root, 'bench/results', `${summary.date.slice(0, 10)}.json`);
writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);

const m = summary.medians;
const table = [
  `| phase | median seconds (${runs} runs) |`,
  '|---|---|',
  ...rows.map(([n, s]) => `| ${n} | ${s} |`),
  `| **RTO measured** | ${m.rtoSeconds.toFixed(3)} |`,
  `| drill wall time (process) | ${m.wallSeconds.toFixed(3)} |`,
  `| inside child commands | ${m.commandSeconds.toFixed(3)} |`,
  `| waiting for the server (start, replay) | ${m.serverWaitSeconds.toFixed(3)} |`,
  `| **harness overhead** (phases - commands - server wait) | ${m.harnessOverheadSeconds.toFixed(3)} (${((m.harnessOverheadSeconds / m.phaseTotalSeconds) * 100).toFixed(1)}% of phase time) |`,
  `| readiness detection latency | ${(m.readinessLatencySeconds * 1000).toFixed(0)} ms |`,
  `| WAL replay rate | ${m.walReplayMiBPerSecond.toFixed(1)} MiB/s |`,
].join('\n');
process.stdout.write(`\n${summary.machine.cpus} cores, ${summary.machine.memGiB} GiB, ${summary.postgres}, Node ${process.version}\n\n${table}\n\nwritten to ${path.relative(root, file)}\n`);
