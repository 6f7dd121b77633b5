// Markers on the user's live source, for a measured RPO: one row every `heartbeat` for `runFor` into pgdrill's
// own table (pgdrill.marker; README gives the SQL of a role that may only write and read there), each with its
// time on the database clock. Nothing else on the source is read or written. The connection string comes from
// the environment and is never logged, passed to a child process or written anywhere.
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { EnvironmentError } from '../../errors.js';
import type { Marker } from '../../model/marker.js';
import { isoUtc } from '../../pg/timestamps.js';

export const LIVE_MARKER_TABLE = 'pgdrill.marker';

export const LIVE_MARKER_SQL = `create schema if not exists pgdrill;
create table if not exists pgdrill.marker (
  drill text not null,
  seq integer not null,
  written_at timestamptz not null default clock_timestamp(),
  primary key (drill, seq));`;

export class LiveMarkers {
  readonly ledger: Marker[] = [];
  failedWrites = 0;
  private client: pg.Client | undefined;

  constructor(
    private readonly conninfo: string,
    /** Where the conninfo came from (env:NAME), for messages. */
    private readonly from: string,
    /** Tag of this drill's rows: run id and drill. */
    readonly tag: string,
  ) {}

  async connect(): Promise<void> {
    const { default: pgModule } = await import('pg');
    const client = new pgModule.Client({ connectionString: this.conninfo, application_name: 'pgdrill markers', connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined); // a lost connection shows as a failed write
    try {
      await client.connect();
      await client.query(`select 1 from ${LIVE_MARKER_TABLE} limit 0`);
    } catch (error) {
      await client.end().catch(() => undefined);
      const message = (error as Error).message;
      const missing = /relation "pgdrill\.marker" does not exist|schema "pgdrill" does not exist/.test(message);
      throw new EnvironmentError(
        `the live source (${this.from}) ${missing ? `has no ${LIVE_MARKER_TABLE} table` : `refused the marker connection: ${message}`}`,
        missing ? 'create it and the marker role with the SQL in the README (section "A measured RPO: live")' : `check the connection string in ${this.from.replace(/^env:/, '')} and that the role may insert into ${LIVE_MARKER_TABLE}`,
      );
    }
    this.client = client;
  }

  /** Writes one marker every `heartbeatMs` for `runForMs` (from the first write), then stops. */
  async run(runForMs: number, heartbeatMs: number, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    for (let seq = 1; performance.now() - started < runForMs; seq++) {
      signal.throwIfAborted();
      const beat = performance.now();
      await this.write(seq);
      const rest = heartbeatMs - (performance.now() - beat);
      if (rest > 0 && performance.now() - started + rest < runForMs) await sleep(rest, undefined, { signal });
      else if (rest > 0) break;
    }
    if (this.ledger.length === 0) {
      throw new EnvironmentError(`no marker could be written on the live source (${this.failedWrites} attempts failed)`, `check that the role may insert into ${LIVE_MARKER_TABLE}`);
    }
  }

  /**
   * Goes on writing markers, one every `heartbeatMs`, until `until` settles (the archive's state being read), so the
   * loss is declared only after that read: a segment pushed while it ran counts as held, and the markers written
   * meanwhile as lost unless it holds them. Any error of timing is on the safe side.
   */
  async runWhile<T>(until: Promise<T>, heartbeatMs: number, signal: AbortSignal): Promise<T> {
    let settled = false;
    const done = until.finally(() => (settled = true));
    const next = () => Promise.race([done.then(() => undefined, () => undefined), sleep(heartbeatMs, undefined, { signal })]);
    // The heartbeat goes on as it was: the next marker one interval after the last.
    for (let seq = this.ledger.length + this.failedWrites + 1; ; seq++) {
      await next();
      if (settled) break;
      signal.throwIfAborted();
      await this.write(seq);
    }
    return done;
  }

  private async write(seq: number): Promise<void> {
    try {
      const r = await (this.client as pg.Client).query<{ t: string; micros: string }>(
        `insert into ${LIVE_MARKER_TABLE} (drill, seq) values ($1, $2)
         returning ${isoUtc('written_at')} as t,
                   (extract(epoch from written_at) * 1000000)::bigint::text as micros`,
        [this.tag, seq],
      );
      const row = r.rows[0];
      if (row) this.ledger.push({ id: seq, commitTime: row.t, commitMicros: Number(row.micros) });
    } catch {
      this.failedWrites++;
    }
  }

  /** The database the markers go to (the sandbox is read there). */
  async database(): Promise<string> {
    const r = await (this.client as pg.Client).query<{ d: string }>('select current_database() as d');
    return r.rows[0]?.d ?? 'postgres';
  }

  /** The WAL segment the newest marker is in (to wait until it is archived). */
  async currentSegment(): Promise<string> {
    const r = await (this.client as pg.Client).query<{ f: string }>('select pg_walfile_name(pg_current_wal_lsn()) as f');
    return r.rows[0]?.f ?? '';
  }

  /** pg_switch_wal() on the source: the role needs EXECUTE on it (README). */
  async switchWal(): Promise<void> {
    try {
      await (this.client as pg.Client).query('select pg_switch_wal()');
    } catch (error) {
      throw new EnvironmentError(`live.switchWal: pg_switch_wal() was refused on the source: ${(error as Error).message}`, 'grant execute on function pg_switch_wal() to the marker role, or remove switchWal');
    }
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}

/** Marker seqs of this drill present in the restored sandbox (none when the table is not there). */
export async function recoveredMarkers(query: <T>(sql: string, params?: unknown[]) => Promise<T[]>, tag: string): Promise<number[]> {
  const [exists] = await query<{ ok: boolean }>(`select to_regclass('${LIVE_MARKER_TABLE}') is not null as ok`);
  if (!exists?.ok) return [];
  const rows = await query<{ seq: number }>(`select seq from ${LIVE_MARKER_TABLE} where drill = $1`, [tag]);
  return rows.map((r) => Number(r.seq));
}
