// pgdrill as a library: run drills from code, or plug in providers, backup methods and incidents.
import './polyfills.js';

export { loadDrill, loadDrills, inspectDrill } from './drill/loader.js';
export type { Drill } from './drill/drill.js';
export { runDrill } from './runner/run-drill.js';
export { runDrills, type RunDrillsOptions, type RunDrillsOutcome } from './runner/run-drills.js';
export { placeDrill, localProvider } from './providers/registry.js';
export type { Provider, PostgresInstance } from './providers/provider.js';
export type { BackupMethod } from './tools/backup-method.js';
export type { Incident, IncidentRecord } from './incidents/incident.js';
export type { RecoveryTarget } from './pg/recovery-target.js';
export { resultSchema, summarySchema, type DrillResult, type RunSummary } from './model/result-schema.js';
export * from './errors.js';
