// Works through a list over several connections at once (the drill's `jobs`), largest first so the last item
// does not start alone. Each worker keeps one connection per database. Damaged data can crash a backend, and
// the postmaster then ends every connection: a worker drops a broken connection and reconnects (waiting out the
// crash recovery), so one crash costs one item, not the pass.
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

export interface PoolOptions<T> {
  jobs: number;
  databaseOf(item: T): string;
  connect(database: string): Promise<pg.Client>;
  /** Checks one item; throws when the server refused it (the caller's onError records that). */
  work(client: pg.Client, item: T, notices: string[]): Promise<void>;
  onError(item: T, error: unknown, notices: string[]): void;
  signal: AbortSignal;
  /** How long to keep trying to reconnect after the server went away. */
  reconnectMs?: number;
  /** Called once per item when it is done, checked or not (progress). */
  onDone?(item: T): void;
}

interface Held {
  client: pg.Client;
  broken: boolean;
  notices: string[];
}

export async function inParallel<T>(items: readonly T[], opts: PoolOptions<T>): Promise<void> {
  let next = 0;
  const worker = async () => {
    const held = new Map<string, Held>();
    try {
      while (next < items.length && !opts.signal.aborted) {
        const item = items[next++] as T;
        const database = opts.databaseOf(item);
        let h: Held | undefined;
        try {
          h = await connection(held, database, opts);
          h.notices.length = 0;
          await opts.work(h.client, item, h.notices);
        } catch (error) {
          opts.onError(item, error, h?.notices ?? []);
          if (h && (h.broken || /terminat|Connection|ECONNRESET|server closed/i.test(String(error)))) {
            held.delete(database);
            await h.client.end().catch(() => undefined);
          }
        }
        opts.onDone?.(item);
      }
    } finally {
      await Promise.all([...held.values()].map((h) => h.client.end().catch(() => undefined)));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, items.length)) }, worker));
}

async function connection<T>(held: Map<string, Held>, database: string, opts: PoolOptions<T>): Promise<Held> {
  const have = held.get(database);
  if (have && !have.broken) return have;
  const deadline = Date.now() + (opts.reconnectMs ?? 30_000);
  for (;;) {
    try {
      const client = await opts.connect(database);
      const h: Held = { client, broken: false, notices: [] };
      client.on('error', () => (h.broken = true));
      client.on('end', () => (h.broken = true));
      client.on('notice', (n) => h.notices.push(n.message ?? String(n)));
      held.set(database, h);
      return h;
    } catch (error) {
      // "the database system is in recovery mode" / "starting up" right after a backend crash: wait it out.
      if (Date.now() > deadline || opts.signal.aborted || !/recovery mode|starting up|ECONNREFUSED|shutting down/.test(String(error))) throw error;
      await sleep(100);
    }
  }
}
