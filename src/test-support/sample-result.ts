// A result as pgdrill writes it, for tests of what reads results (reports, Slack, history). The full pipeline
// that produces real ones is exercised in report/outputs.integration.test.ts.
import type { DrillResult } from '../model/result-schema.js';

export function sampleResult(name: string, status: DrillResult['status'], diagnosis?: string, over: Partial<DrillResult> = {}): DrillResult {
  return {
    schemaVersion: 1,
    pgdrillVersion: '0.1.0',
    runId: 'r1',
    drill: { name, file: `/drills/${name}.yaml`, sha256: '0'.repeat(64) },
    status,
    verdict: `${status.toUpperCase()} ${name}`,
    ...(diagnosis ? { diagnosis } : {}),
    startedAt: '2026-11-23T19:00:00.000Z',
    endedAt: '2026-11-23T19:00:05.000Z',
    objectives: { rtoSeconds: 120, rpoSeconds: 5 },
    measured: { rtoSeconds: 1.5, rpoSeconds: 0.1, rpoLowerBound: false, lostMarkers: 0, discardedMarkers: 2, survivingPostIncidentMarkers: 0, walReplayBytes: 1, walReplaySeconds: 1, walReplayBytesPerSecond: 1, restoreFilesBytesPerSecond: 1, readinessLatencySeconds: 0.01 },
    phases: [],
    checks: [],
    expectation: { expect: 'recovered', met: status === 'passed', detail: '' },
    recovery: { target: 'before-incident', settings: {}, reached: status === 'passed', timeline: 2, evidence: [] },
    markers: { heartbeatSeconds: 0.2, written: 10 },
    environment: { provider: 'local', providerReason: '', postgresVersion: '15', backupMethod: 'pg_basebackup', toolVersions: {}, host: 'h', platform: 'p', node: 'v20', settings: {} },
    commands: [],
    logs: [],
    ...over,
  };
}
