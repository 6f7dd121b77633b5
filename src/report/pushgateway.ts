// Pushes the run's metrics to a Prometheus Pushgateway, for runs no node_exporter scrapes (a CI job). The
// group is job="pgdrill" and instance=PGDRILL_INSTANCE (else the host name), replaced as a whole by each push
// (PUT): a drill's last-success timestamp is carried by the output folder's history, not by the gateway.
import os from 'node:os';

export interface PushTarget {
  url: string;
  job?: string;
  instance?: string;
}

export function groupingUrl(t: PushTarget): string {
  const base = t.url.replace(/\/+$/, '');
  const seg = (v: string) => encodeURIComponent(v);
  return `${base}/metrics/job/${seg(t.job ?? 'pgdrill')}/instance/${seg(t.instance ?? (process.env['PGDRILL_INSTANCE'] || os.hostname()))}`;
}

/** The URL without credentials, for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
  } catch {
    return '(the --pushgateway URL)';
  }
}

export async function pushMetrics(target: PushTarget, text: string): Promise<void> {
  const url = new URL(groupingUrl(target));
  const headers: Record<string, string> = { 'content-type': 'text/plain; version=0.0.4' };
  if (url.username || url.password) {
    headers['authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const res = await fetch(url, { method: 'PUT', headers, body: text, signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`the Pushgateway at ${safeUrl(target.url)} answered ${res.status}: ${(await res.text()).trim().slice(0, 300)}`);
}
