// From the drill's recovery.target to a concrete target, using what the incident recorded.
import type { Drill } from '../drill/drill.js';
import type { IncidentRecord } from '../incidents/incident.js';
import type { RecoveryTarget } from '../recovery/recovery-target.js';

export function resolveTarget(drill: Drill, incident: IncidentRecord): RecoveryTarget {
  switch (drill.recovery.target) {
    case 'before-incident':
      // The exclusive xid target is the only one that gave RPO = 0 (PITR-FACTS #5).
      return { kind: 'xid', xid: incident.xid, inclusive: false };
  }
}
