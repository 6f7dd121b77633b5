// From the drill's recovery section to a concrete target, using what the incident recorded, and refusing clear
// mistakes (a point before the base backup finished, a marker never written) with exit 2 before any restore.
import type { BackupArtifact } from '../../tools/backup-method.js';
import type { Drill } from '../../drill/drill.js';
import { DrillConfigError } from '../../errors.js';
import type { Incident, IncidentRecord } from '../../incidents/incident.js';
import { parseLsn } from '../../pg/lsn.js';
import type { RecoveryTarget } from '../../pg/recovery-target.js';
import type { Marker } from '../workload/heartbeat.js';
import { postgresTimestamp } from '../../pg/timestamps.js';

export const DEFAULT_RESTORE_POINT = 'pgdrill-before-incident';

export interface TargetInputs {
  incident: Incident;
  record: IncidentRecord;
  ledger: Marker[];
  backup: BackupArtifact;
  /** False when the backup method has no WAL: only the backup's own point can be restored. */
  pointInTime?: boolean;
  method?: string;
}

export function resolveTarget(drill: Drill, inputs: TargetInputs): RecoveryTarget {
  const r = drill.recovery;
  const { record, backup } = inputs;
  const refuse = (key: string, message: string, fix: string): never => {
    throw new DrillConfigError([{ file: drill.file, line: drill.lines[`recovery.${key}`] ?? drill.lines['recovery.target'], path: `recovery.${key}`, message, fix }]);
  };
  if (inputs.pointInTime === false) {
    if (r.target !== 'immediate') {
      refuse('target', `backup method ${inputs.method} has no WAL, so it cannot recover to a point in time (${r.target})`, 'use recovery.target: immediate (the state of the backup), or a method with WAL');
    }
    // Without WAL, "as close to the incident as possible" is the backup itself.
    return { kind: 'immediate' };
  }
  switch (r.target) {
    case 'before-incident':
      return inputs.incident.beforeIncidentTarget(record);
    case 'time': {
      // Without a time: the incident's own commit, excluded; or, when the damage precedes its commit in the WAL
      // (DROP DATABASE), the newest commit before the damage, excluded too: a time target can only stop at a
      // commit, and stopping after that one would replay the damage that follows it.
      const beforeDamage = r.at === undefined && r.marker === undefined ? record.lastCommitBefore : undefined;
      let time = r.at ?? beforeDamage ?? record.commitTime;
      if (r.marker !== undefined) {
        const marker = inputs.ledger.find((m) => m.id === r.marker);
        if (!marker) {
          const ids = inputs.ledger.map((m) => m.id);
          refuse('marker', `marker ${r.marker} was never written (markers ${ids[0] ?? '-'}..${ids.at(-1) ?? '-'} were)`, 'choose a marker in that range');
        }
        time = (marker as Marker).commitTime;
      }
      if (backup.endTime && Date.parse(time) < Date.parse(backup.endTime)) {
        refuse(r.marker !== undefined ? 'marker' : 'at', `time ${time} is before the base backup finished (${backup.endTime}): recovery cannot stop before the backup is consistent`, 'choose a later time, or a marker written after the backup');
      }
      return { kind: 'time', time: postgresTimestamp(time), inclusive: r.inclusive ?? false };
    }
    case 'xid': {
      const xid = r.xid ?? record.xid;
      if (!xid) return refuse('xid', `incident ${record.kind} is not a transaction, so it has no xid to recover to`, 'give recovery.xid, or use target lsn or time');
      return { kind: 'xid', xid, inclusive: r.inclusive ?? false };
    }
    case 'lsn': {
      const lsn = r.lsn ?? record.lsnBefore;
      if (backup.endLsn && parseLsn(lsn) < parseLsn(backup.endLsn)) {
        refuse('lsn', `LSN ${lsn} is before the end of the base backup (${backup.endLsn}): recovery cannot stop before the backup is consistent`, 'choose a later LSN');
      }
      return { kind: 'lsn', lsn, inclusive: r.inclusive ?? false };
    }
    case 'name':
      return { kind: 'name', name: r.name ?? DEFAULT_RESTORE_POINT };
    case 'immediate':
      return { kind: 'immediate' };
    case 'latest':
      return { kind: 'latest' };
  }
}
