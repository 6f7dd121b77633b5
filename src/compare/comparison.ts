// What `pgdrill compare` measured: one row per method, every number read back from that method's result.json.
import type { DrillResult } from '../model/result-schema.js';

export interface ComparisonRow {
  method: string;
  status: DrillResult['status'];
  verdict: string;
  backupSeconds: number | null;
  backupBytes: number | null;
  rtoSeconds: number | null;
  restoreSeconds: number | null;
  replaySeconds: number | null;
  verifySeconds: number | null;
  rpoSeconds: number | null;
  rpoLowerBound: boolean;
  lostTransactions: number | null;
  checksPassed: number;
  checksTotal: number;
  /** rpo null: the RPO objective does not apply (the dump or backup itself restored). */
  objectivesMet: { rto: boolean; rpo: boolean | null };
  target: string;
  toolVersion: string;
  result: string;
}

export interface Comparison {
  drill: string;
  runId: string;
  createdAt: string;
  objectives: { rtoSeconds: number; rpoSeconds: number };
  rows: ComparisonRow[];
}
