// Stage 3: the application writes (heartbeat markers, optional pgbench and steady writes), the pre-incident
// truth is captured, the incident strikes, the application keeps writing until the incident is declared. The
// declaration starts the RTO.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BackupArtifact } from '../../tools/backup-method.js';
import type { Drill } from '../../drill/drill.js';
import type { IncidentRecord } from '../../incidents/incident.js';
import type { PostgresInstance } from '../../providers/provider.js';
import { captureTruth, protectedTables, type PreIncidentTruth } from '../../verify/truth.js';
import { createHeartbeatTable, Heartbeat, type Marker } from '../workload/heartbeat.js';
import { DEFAULT_RESTORE_POINT } from './resolve-target.js';
import type { PrimaryStage } from './stage-primary.js';
import type { Stage } from './stage.js';
import { runPgbench } from '../workload/workload.js';

export interface IncidentStage {
  truth: PreIncidentTruth;
  record: IncidentRecord;
  /** Every marker known committed on the primary. */
  ledger: Marker[];
  restorePointLsn?: string;
  declaredAt: string;
}

export async function strike(drill: Drill, s: Stage, { primary, endangered, writers }: PrimaryStage, backup: BackupArtifact): Promise<IncidentStage> {
  const hb = new Heartbeat(primary, drill.workload.heartbeat);
  s.session.defer('stop the heartbeat', () => hb.stop());
  await s.timeline.phase('heartbeat', async () => {
    await createHeartbeatTable(primary);
    await hb.start();
    await hb.waitForMarkers(3);
  });
  if (drill.workload.pgbench?.duration) await s.timeline.phase('pgbench-writes', () => runPgbench(drill, primary, s.provider, s.session.runner));
  if (drill.workload.runFor > 0) await s.timeline.phase('steady-writes', () => sleep(drill.workload.runFor, undefined, { signal: s.signal }));

  const truth = await s.timeline.phase('capture-truth', async () => {
    for (const w of writers) await w.stop();
    return captureTruth(drill, primary, protectedTables(drill, endangered));
  });
  const restorePointLsn = drill.recovery.target === 'name' ? await restorePoint(s, primary, drill.recovery.name ?? DEFAULT_RESTORE_POINT) : undefined;

  const record = await s.timeline.phase('incident', () => s.incident.inject({ primary, backupContext: s.session.ctx, backup, method: s.method }));
  if (s.incident.primarySurvives && drill.incident.declareAfter > 0) {
    // The application keeps writing until someone declares the incident; PITR discards those writes.
    await s.timeline.phase('writes-after-incident', () => sleep(drill.incident.declareAfter, undefined, { signal: s.signal }));
  }
  s.timeline.startRto();
  const declaredAt = new Date().toISOString();
  const ledger = await hb.stop();
  return { truth, record, ledger, ...(restorePointLsn !== undefined ? { restorePointLsn } : {}), declaredAt };
}

function restorePoint(s: Stage, primary: PostgresInstance, name: string): Promise<string> {
  return s.timeline.phase('restore-point', async () => {
    const [row] = await primary.query<{ lsn: string }>('select pg_create_restore_point($1)::text as lsn', [name]);
    return row?.lsn ?? '';
  });
}
