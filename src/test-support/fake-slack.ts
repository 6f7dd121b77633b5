// A local HTTP server standing in for Slack's incoming webhook (the real one cannot be reached from tests).
// Each request is recorded; responses are scripted (status, Retry-After).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSlack {
  url: string;
  requests: Array<{ path: string; body: unknown }>;
  /** Responses to give, in order; the last one repeats. */
  script: Array<{ status: number; retryAfter?: string }>;
  close(): Promise<void>;
}

export async function fakeSlack(script: FakeSlack['script'] = [{ status: 200 }]): Promise<FakeSlack> {
  const fake: FakeSlack = { url: '', requests: [], script, close: async () => undefined };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      fake.requests.push({ path: req.url ?? '', body: JSON.parse(body || 'null') });
      const step = fake.script[Math.min(fake.requests.length - 1, fake.script.length - 1)] ?? { status: 200 };
      res.writeHead(step.status, { 'content-type': 'text/plain', ...(step.retryAfter ? { 'retry-after': step.retryAfter } : {}) });
      res.end(step.status === 200 ? 'ok' : 'rate_limited');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // The path looks like a real webhook secret, so tests can prove it never leaks.
  fake.url = `http://127.0.0.1:${port}/services/T0TEST/B0TEST/secretWebhookToken42`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
