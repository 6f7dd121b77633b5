// Heartbeat markers: the application's writes that data loss is measured against. The runner writes them
// (runner/heartbeat.ts); verification and incidents read them.

export const HEARTBEAT_TABLE = 'pgdrill.heartbeat';

export interface Marker {
  id: number;
  /** Transaction id of the marker's insert (to find its commit record in the WAL). */
  xid?: string;
  /** Commit time on the primary (database clock), ISO with microseconds. */
  commitTime: string;
  commitMicros: number;
}
