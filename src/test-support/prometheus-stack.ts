// The real Prometheus tools from Debian, started by a test on loopback ports and stopped by pid after it:
// prometheus-node-exporter (textfile collector only), prometheus-pushgateway and prometheus itself.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './host.js';

export interface Daemon {
  url: string;
  stop(): Promise<void>;
}

async function start(file: string, args: (port: number) => string[], readyPath: string): Promise<Daemon> {
  const port = await freePort();
  const child: ChildProcess = spawn(file, args(port), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${file} exited ${child.exitCode}: ${log}`);
    try {
      if ((await fetch(`${url}${readyPath}`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${file} not ready on ${url} within 30 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function nodeExporter(textfileDir: string): Promise<Daemon> {
  return start('prometheus-node-exporter', (p) => [`--web.listen-address=127.0.0.1:${p}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${textfileDir}`], '/metrics');
}

export function pushgateway(): Promise<Daemon> {
  return start('prometheus-pushgateway', (p) => [`--web.listen-address=127.0.0.1:${p}`], '/-/ready');
}

/** A Prometheus scraping the targets every second and evaluating the rule files every second. */
export function prometheus(dir: string, targets: { nodeExporter: string; pushgateway: string }, ruleFiles: string[]): Promise<Daemon> {
  mkdirSync(dir, { recursive: true });
  const host = (u: string) => new URL(u).host;
  const config = [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    `rule_files: [${ruleFiles.map((f) => JSON.stringify(f)).join(', ')}]`,
    'scrape_configs:',
    `  - job_name: node\n    static_configs: [{ targets: ["${host(targets.nodeExporter)}"] }]`,
    `  - job_name: pushgateway\n    honor_labels: true\n    static_configs: [{ targets: ["${host(targets.pushgateway)}"] }]`,
    '',
  ].join('\n');
  const file = path.join(dir, 'prometheus.yml');
  writeFileSync(file, config);
  execFileSync('promtool', ['check', 'config', file], { stdio: 'pipe' });
  return start('prometheus', (p) => [`--config.file=${file}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${p}`], '/-/ready');
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query over the HTTP API; throws on a query Prometheus rejects. */
export async function query(prom: Daemon, expr: string): Promise<PromSample[]> {
  const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: PromSample[] | [number, string] } };
  if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error ?? res.status}`);
  const r = body.data?.result ?? [];
  return body.data?.resultType === 'scalar' ? [{ metric: {}, value: r as [number, string] }] : (r as PromSample[]);
}

/** Polls until check(query result) holds, or throws with the last result after the timeout. */
export async function until(prom: Daemon, expr: string, check: (s: PromSample[]) => boolean, timeoutMs = 30_000): Promise<PromSample[]> {
  const deadline = Date.now() + timeoutMs;
  let last: PromSample[] = [];
  while (Date.now() < deadline) {
    last = await query(prom, expr);
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${expr} did not reach the expected state in ${timeoutMs / 1000} s: ${JSON.stringify(last)}`);
}
