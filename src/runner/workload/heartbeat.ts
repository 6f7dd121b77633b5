// The heartbeat: one marker row committed every `interval` on the primary, each with its commit timestamp
// read back from the database (track_commit_timestamp). The ledger is what data loss is measured against.
import type pg from 'pg';
import type { PostgresInstance } from '../../providers/provider.js';
import { Ticker } from '../ticker.js';
import { HEARTBEAT_TABLE, type Marker } from '../../model/marker.js';
import { isoUtc } from '../../pg/timestamps.js';

export { HEARTBEAT_TABLE, type Marker } from '../../model/marker.js';



export async function createHeartbeatTable(primary: PostgresInstance): Promise<void> {
  await primary.query(
    `create schema if not exists pgdrill;
     create table if not exists ${HEARTBEAT_TABLE} (
       id bigint generated always as identity primary key,
       written_at timestamptz not null default clock_timestamp())`,
  );
}

export class Heartbeat {
  readonly ledger: Marker[] = [];
  private client: pg.Client | undefined;
  private ticker: Ticker | undefined;

  constructor(
    private readonly primary: PostgresInstance,
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    this.client = await this.connect();
    this.ticker = new Ticker(this.intervalMs, () => this.beat());
    this.ticker.start();
  }

  private async connect(): Promise<pg.Client> {
    const client = await this.primary.connect();
    client.on('error', () => undefined); // a lost connection shows as a failed query below
    return client;
  }

  /**
   * One marker. A failed beat is not fatal: the application reconnects after a restart (corrupt-page) and
   * simply stops getting through after a primary loss. Only markers known committed enter the ledger.
   */
  private async beat(): Promise<void> {
    try {
      this.client ??= await this.connect();
      const client = this.client;
      const ins = await client.query<{ xid: string; id: string }>(`insert into ${HEARTBEAT_TABLE} default values returning id::text, xmin::text as xid`);
      const row = ins.rows[0];
      const ts = await client.query<{ t: string; micros: string }>(
        `select ${isoUtc('ts')} as t,
                (extract(epoch from ts) * 1000000)::bigint::text as micros
           from (select pg_xact_commit_timestamp($1::xid) as ts) c`,
        [row?.xid],
      );
      this.ledger.push({ id: Number(row?.id), xid: row?.xid ?? '', commitTime: ts.rows[0]?.t ?? '', commitMicros: Number(ts.rows[0]?.micros) });
    } catch {
      const broken = this.client;
      this.client = undefined;
      await broken?.end().catch(() => undefined);
    }
  }

  /** Resolves once at least `count` markers are committed. */
  async waitForMarkers(count: number): Promise<void> {
    const deadline = performance.now() + Math.max(10_000, this.intervalMs * count * 5);
    while (this.ledger.length < count) {
      const ticker = this.ticker;
      if (!ticker?.isRunning || performance.now() > deadline) {
        throw new Error(`the heartbeat could not commit ${count} markers on the primary (${this.ledger.length} committed)`);
      }
      await ticker.nextTick();
    }
  }

  /** Stops writing after the in-flight marker; idempotent. Returns every marker known committed. */
  async stop(): Promise<Marker[]> {
    await this.ticker?.stop();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
    return this.ledger;
  }
}
