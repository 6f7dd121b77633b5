// npm run bench, section 14 (also alone: node bench/startup.js): what pgdrill's start-up costs, bundled against the
// same compiled code unbundled, alternated. BENCH_STARTUP_DRILL_PAIRS (default 5) times:
//   bundled    bin/pgdrill.js (dist/bundle/, scripts/bundle.js) running the quickstart drill, integrity: off
//   unbundled  node dist/cli/main.js running the same drill (the ~300 modules tsc wrote, resolved one by one)
// For each: wall time, the time from the spawn to the drill's first phase, and from its last phase to the exit.
// Then `--help` both ways. Prints JSON on the last line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pairs = Number(process.env.BENCH_STARTUP_DRILL_PAIRS ?? 5);
const log = (t) => process.stderr.write(`${t}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const entries = { bundled: path.join(root, 'bin/pgdrill.js'), unbundled: path.join(root, 'dist/cli/main.js') };

const dir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-bench-startup-'));
const drill = path.join(dir, 'quickstart.yaml');
writeFileSync(drill, `${readFileSync(path.join(root, 'drills/quickstart.yaml'), 'utf8').replace(/\.\.\/fixtures/g, path.join(root, 'fixtures')).trimEnd()}\n  - integrity: off\n`);

function run(entry) {
  const out = mkdtempSync(path.join(dir, 'out-'));
  const spawned = Date.now();
  const t0 = performance.now();
  execFileSync(process.execPath, [entry, 'run', drill, '--provider', 'local', '--out', out], { cwd: root, stdio: 'ignore' });
  const wall = (performance.now() - t0) / 1000;
  const exited = Date.now();
  const runDir = path.join(out, readdirSync(out).find((f) => f !== 'index.html'));
  const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  const result = JSON.parse(readFileSync(summary.drills[0].result, 'utf8'));
  rmSync(out, { recursive: true, force: true });
  if (result.status !== 'passed') throw new Error(`the quickstart drill ${result.status} (${entry})`);
  return { wall, toFirstPhase: (Date.parse(result.phases[0].startedAt) - spawned) / 1000, tail: (exited - Date.parse(result.phases.at(-1).endedAt)) / 1000 };
}
const help = (entry) => {
  const t0 = performance.now();
  execFileSync(process.execPath, [entry, '--help'], { stdio: 'ignore' });
  return (performance.now() - t0) / 1000;
};

let out;
try {
  const samples = { bundled: [], unbundled: [] };
  for (let i = 0; i < pairs; i++) {
    for (const [name, entry] of Object.entries(entries)) samples[name].push({ ...run(entry), help: help(entry) });
    log(`start-up pair ${i + 1}/${pairs}: bundled ${samples.bundled[i].wall.toFixed(2)}s (first phase after ${samples.bundled[i].toFirstPhase.toFixed(3)}s), unbundled ${samples.unbundled[i].wall.toFixed(2)}s (${samples.unbundled[i].toFirstPhase.toFixed(3)}s)`);
  }
  const medians = (xs) => Object.fromEntries(['wall', 'toFirstPhase', 'tail', 'help'].map((k) => [k, median(xs.map((x) => x[k]))]));
  out = { pairs, bundled: medians(samples.bundled), unbundled: medians(samples.unbundled), samples };
} finally {
  rmSync(dir, { recursive: true, force: true });
}
log(`start-up: to the first phase ${out.bundled.toFirstPhase.toFixed(3)}s bundled, ${out.unbundled.toFirstPhase.toFixed(3)}s unbundled`);
process.stdout.write(`${JSON.stringify(out)}\n`);
