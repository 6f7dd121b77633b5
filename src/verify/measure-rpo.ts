// RTO and RPO arithmetic. Durations come from the monotonic clock; data loss from commit timestamps on the
// database clock, never from the runner's wall clock (xid order is not commit order, docs/postgres-facts.md #6).
import type { IncidentRecord } from '../incidents/incident.js';
import { parseLsn } from '../pg/lsn.js';
import type { Marker } from '../model/marker.js';

export interface RpoMeasurement {
  /** Seconds of committed work lost: last pre-incident commit minus the newest one that survived. */
  rpoSeconds: number;
  /** True when no pre-incident marker survived, so the RPO is only known to be at least this. */
  lowerBound: boolean;
  /** Markers committed before the incident that are missing after recovery. */
  lostMarkers: number;
  /** Markers committed after the incident: PITR to before the incident discards them by design. */
  discardedMarkers: number;
  /** Markers committed after the incident that are present after recovery (0 unless the target is later). */
  survivingPostIncidentMarkers: number;
  lastPreIncidentMarker?: Marker;
  newestRecoveredMarker?: Marker;
}

/**
 * @param ledger every marker known committed on the primary
 * @param incidentCommitMicros the incident's commit time; markers committed earlier should survive
 * @param recoveredIds marker ids present on the recovered instance
 * When no pre-incident marker survived, the loss is measured from `recoveredUntilMicros` when known, else it is
 * only a lower bound (from the first marker).
 */
export function measureRpo(
  ledger: Marker[],
  incidentCommitMicros: number,
  recoveredIds: Iterable<number>,
  /** Commit time of the newest transaction the recovery replayed (pg_last_committed_xact), or the backup's end. */
  recoveredUntilMicros?: number,
  /** Where the WAL itself says a marker committed relative to the damage (true: before); undefined: ask the clock. */
  walOrder?: (m: Marker) => boolean | undefined,
): RpoMeasurement {
  const present = new Set(recoveredIds);
  const byTime = [...ledger].sort((a, b) => a.commitMicros - b.commitMicros);
  const isPre = (m: Marker) => walOrder?.(m) ?? m.commitMicros < incidentCommitMicros;
  const pre = byTime.filter(isPre);
  const post = byTime.filter((m) => !isPre(m));
  const lastPre = pre.at(-1);
  const recoveredPre = pre.filter((m) => present.has(m.id));
  const newest = recoveredPre.at(-1);
  const lostMarkers = pre.length - recoveredPre.length;
  let rpoSeconds = 0;
  let lowerBound = false;
  if (lastPre && newest) {
    rpoSeconds = (lastPre.commitMicros - newest.commitMicros) / 1e6;
  } else if (lastPre && recoveredUntilMicros !== undefined && recoveredUntilMicros < (pre[0]?.commitMicros ?? 0)) {
    // No marker survived, but the database says how far it got: the loss starts there.
    rpoSeconds = (lastPre.commitMicros - recoveredUntilMicros) / 1e6;
  } else if (lastPre && pre[0]) {
    rpoSeconds = (lastPre.commitMicros - pre[0].commitMicros) / 1e6;
    lowerBound = true;
  }
  return {
    rpoSeconds,
    lowerBound,
    lostMarkers,
    discardedMarkers: post.filter((m) => !present.has(m.id)).length,
    survivingPostIncidentMarkers: post.filter((m) => present.has(m.id)).length,
    ...(lastPre ? { lastPreIncidentMarker: lastPre } : {}),
    ...(newest ? { newestRecoveredMarker: newest } : {}),
  };
}

/** Bytes per second, 0 when the duration is not positive. */
export function rate(bytes: number, seconds: number): number {
  return seconds > 0 ? bytes / seconds : 0;
}

/**
 * After a primary loss, every marker the primary acknowledged committed before the loss. For incidents that
 * recorded the commit LSN of the transactions committed while they ran (drop-database): a
 * marker among them is before the damage when its commit record precedes it in the WAL.
 */
export function markerOrder(incident: IncidentRecord): ((m: Marker) => boolean | undefined) | undefined {
  if (incident.destroysPrimary) return () => true;
  const lsns = incident.commitLsns;
  const damage = incident.damageLsn;
  if (!lsns || !damage) return undefined;
  return (m) => {
    const lsn = m.xid ? lsns[m.xid] : undefined;
    return lsn === undefined ? undefined : parseLsn(lsn) < parseLsn(damage);
  };
}
