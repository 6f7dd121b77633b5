// Runs a composite action's `run:` steps the way a GitHub runner does, here: each step's env and working
// directory with its ${{ }} expressions evaluated (the subset action.yml uses: inputs, steps.<id>.outputs,
// github, literals, ||, ==, !=, &&, format(), always()), GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY /
// RUNNER_TEMP files, outputs read back per step. `uses:` steps are not run; their evaluated `with:` is returned.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  'working-directory'?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface ActionFile {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { steps: Step[] };
}

export interface StepRun {
  name: string;
  ran: boolean;
  uses?: string;
  with?: Record<string, string>;
  code?: number | null;
  stdout?: string;
  stderr?: string;
}

export interface ActionRun {
  steps: StepRun[];
  outputs: Record<string, string>;
  summary: string;
}

type Ctx = { inputs: Record<string, string>; steps: Record<string, { outputs: Record<string, string> }>; github: Record<string, string> };

function evaluate(expr: string, ctx: Ctx): string | boolean {
  const e = expr.trim();
  for (const op of ['||', '&&'] as const) {
    const parts = splitTop(e, op);
    if (parts.length > 1) {
      const vals = parts.map((p) => evaluate(p, ctx));
      if (op === '||') return vals.find((v) => v !== '' && v !== false) ?? vals.at(-1) ?? '';
      return vals.every((v) => v !== '' && v !== false) ? (vals.at(-1) ?? true) : false;
    }
  }
  for (const op of ['!=', '=='] as const) {
    const parts = splitTop(e, op);
    if (parts.length === 2) return (String(evaluate(parts[0] ?? '', ctx)) === String(evaluate(parts[1] ?? '', ctx))) === (op === '==');
  }
  if (e === 'always()') return true;
  const lit = /^'((?:[^']|'')*)'$/.exec(e);
  if (lit) return (lit[1] ?? '').replace(/''/g, "'");
  const fmt = /^format\((.*)\)$/s.exec(e);
  if (fmt) {
    const [template, ...args] = splitTop(fmt[1] ?? '', ',').map((a) => String(evaluate(a, ctx)));
    return (template ?? '').replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)] ?? '');
  }
  const p = e.split('.');
  if (p[0] === 'inputs') return ctx.inputs[p.slice(1).join('.')] ?? '';
  if (p[0] === 'github') return ctx.github[p[1] ?? ''] ?? '';
  if (p[0] === 'steps' && p[2] === 'outputs') return ctx.steps[p[1] ?? '']?.outputs[p.slice(3).join('.')] ?? '';
  throw new Error(`expression not supported by the test runner: ${e}`);
}

function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") quote = !quote;
    else if (!quote && c === '(') depth++;
    else if (!quote && c === ')') depth--;
    else if (!quote && depth === 0 && s.startsWith(sep, i)) {
      out.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

const interpolate = (text: string, ctx: Ctx) => text.replace(/\$\{\{(.*?)\}\}/gs, (_, x: string) => String(evaluate(x, ctx)));

function readKeyValues(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export async function runCompositeAction(actionDir: string, opts: { inputs: Record<string, string>; cwd: string; temp: string; env: Record<string, string>; skip?: readonly string[] }): Promise<ActionRun> {
  const action = parse(readFileSync(path.join(actionDir, 'action.yml'), 'utf8')) as ActionFile;
  const inputs = { ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? ''])), ...opts.inputs };
  const ctx: Ctx = { inputs, steps: {}, github: { server_url: 'https://github.com', repository: 'acme/db', run_id: '42' } };
  const files = { GITHUB_OUTPUT: '', GITHUB_ENV: path.join(opts.temp, 'github_env'), GITHUB_STEP_SUMMARY: path.join(opts.temp, 'step_summary.md'), GITHUB_PATH: path.join(opts.temp, 'github_path') };
  for (const f of [files.GITHUB_ENV, files.GITHUB_STEP_SUMMARY, files.GITHUB_PATH]) writeFileSync(f, '');
  const steps: StepRun[] = [];
  let failed = false;
  for (const [i, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.uses ?? `step ${i + 1}`;
    // As on a runner: after a failed step only steps whose condition has always() run.
    const wanted = failed && !step.if?.includes('always()') ? false : step.if ? evaluate(step.if, ctx) : true;
    if (!wanted || wanted === '' || (opts.skip ?? []).includes(name)) {
      steps.push({ name, ran: false });
      continue;
    }
    if (step.uses) {
      steps.push({ name, ran: false, uses: step.uses, with: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx)])) });
      continue;
    }
    const output = path.join(opts.temp, `output-${i}`);
    writeFileSync(output, '');
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx)]));
    const env = { ...process.env, ...opts.env, ...readKeyValues(files.GITHUB_ENV), ...files, GITHUB_OUTPUT: output, RUNNER_TEMP: opts.temp, GITHUB_ACTION_PATH: actionDir, GITHUB_ACTIONS: 'true', ...stepEnv };
    const cwd = path.resolve(opts.cwd, step['working-directory'] ? interpolate(step['working-directory'], ctx) : '.');
    // Asynchronous, so servers of the test in this process (a Slack stand-in) keep answering.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', interpolate(step.run ?? '', ctx)], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    steps.push({ name, ran: true, code: r.status, stdout: r.stdout, stderr: r.stderr });
    if (step.id) ctx.steps[step.id] = { outputs: readKeyValues(output) };
    if (r.status !== 0) failed = true;
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([k, v]) => [k, String(evaluate(v.value.replace(/^\$\{\{|\}\}$/g, ''), ctx))]));
  return { steps, outputs, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') };
}
