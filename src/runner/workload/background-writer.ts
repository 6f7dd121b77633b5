// workload.background: statements the "application" keeps running on the primary during the backup.
import type pg from 'pg';
import type { PostgresInstance } from '../../providers/provider.js';
import { Ticker } from '../ticker.js';

export class BackgroundWriter {
  private client: pg.Client | undefined;
  private ticker: Ticker | undefined;

  constructor(
    private readonly primary: PostgresInstance,
    private readonly sql: string,
    private readonly everyMs: number,
  ) {}

  async start(): Promise<void> {
    const client = await this.primary.connect();
    client.on('error', () => undefined);
    this.client = client;
    this.ticker = new Ticker(this.everyMs, async () => {
      await client.query(this.sql);
    });
    this.ticker.start();
  }

  get ticks(): number {
    return this.ticker?.ticks ?? 0;
  }

  /** Stops; throws the statement's error if it failed, so a broken workload is not silent. */
  async stop(): Promise<void> {
    await this.ticker?.stop();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
    if (this.ticker?.error) throw new Error(`workload.background statement failed: ${this.ticker.error.message}\n  sql: ${this.sql}`);
  }
}
