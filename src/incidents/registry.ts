// Incident adapters by kind: adding one is one file and one line here.
import type { IncidentSpec } from './incident-schema.js';
import { CorruptBackupIncident, corruptBackupFacts } from './corrupt-backup.js';
import { CorruptPageIncident } from './corrupt-page.js';
import { DeleteRowsIncident } from './delete-rows.js';
import { DropDatabaseIncident } from './drop-database.js';
import { DropTableIncident } from './drop-table.js';
import type { Incident, IncidentFacts } from './incident.js';
import { MissingWalIncident, missingWalFacts } from './missing-wal.js';
import { PrimaryLossIncident } from './primary-loss.js';
import { TruncateIncident } from './truncate.js';
import { UpdateRowsIncident } from './update-rows.js';

/** Facts per kind, for the drill loader (which combinations can run). */
export const INCIDENT_FACTS: Readonly<Record<IncidentSpec['kind'], IncidentFacts>> = {
  'drop-table': {},
  truncate: {},
  'delete-rows': {},
  'update-rows': {},
  'drop-database': {},
  'primary-loss': {},
  'corrupt-page': {},
  'missing-wal': missingWalFacts,
  'corrupt-backup': corruptBackupFacts,
};

export function createIncident(spec: IncidentSpec): Incident {
  switch (spec.kind) {
    case 'drop-table':
      return new DropTableIncident(spec.table);
    case 'truncate':
      return new TruncateIncident(spec.table);
    case 'delete-rows':
      return new DeleteRowsIncident(spec.table, spec.where);
    case 'update-rows':
      return new UpdateRowsIncident(spec.table, spec.set, spec.where);
    case 'drop-database':
      return new DropDatabaseIncident(spec.database);
    case 'primary-loss':
      return new PrimaryLossIncident();
    case 'corrupt-page':
      return new CorruptPageIncident(spec.table, spec.block);
    case 'missing-wal':
      return new MissingWalIncident();
    case 'corrupt-backup':
      return new CorruptBackupIncident();
  }
}
