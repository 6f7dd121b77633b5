// Incident adapters by kind: adding one is one file and one line here.
import type { IncidentSpec } from '../drill/schema.js';
import { DropTableIncident } from './drop-table.js';
import type { Incident } from './incident.js';

export function createIncident(spec: IncidentSpec): Incident {
  switch (spec.kind) {
    case 'drop-table':
      return new DropTableIncident(spec.table);
  }
}
