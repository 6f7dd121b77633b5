// result.json: the machine-readable record of one drill. This zod schema is the single definition; the
// published JSON Schema (schema/result.schema.json) is generated from it and a test keeps the two in sync.
import { z } from 'zod';

export const RESULT_SCHEMA_VERSION = 1;

const phase = z.object({
  name: z.string(),
  startedAt: z.string().describe('ISO 8601, UTC, runner clock'),
  endedAt: z.string(),
  seconds: z.number().describe('monotonic clock (performance.now)'),
  inRto: z.boolean().describe('part of the measured RTO: incident declared -> verified'),
  status: z.enum(['ok', 'failed']),
});

const check = z.object({ name: z.string(), status: z.enum(['passed', 'failed', 'unverified']), code: z.string().optional().describe('a stable code of what the check is or found (README: Finding codes)'), detail: z.string(), seconds: z.number().optional().describe('for checks that are passes of their own (integrity)') });

const marker = z.object({ id: z.number(), commitTime: z.string(), commitMicros: z.number() });

export const resultSchema = z
  .object({
    schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
    pgdrillVersion: z.string(),
    runId: z.string(),
    drill: z.object({ name: z.string(), description: z.string().optional(), file: z.string(), sha256: z.string() }),
    status: z.enum(['passed', 'failed', 'unverified', 'error']).describe('passed: objectives met and every check passed; failed: the drill ran and found a problem; unverified: nothing failed, but a check or an objective could not be judged (never counted as passed); error: the drill could not run'),
    verdict: z.string().describe('one line for people'),
    exitCode: z.number().optional().describe('the exit code of this drill alone (README: Exit codes); a run exits with the most severe of its drills\'); absent in results of pgdrill before 0.2'),
    diagnosis: z.string().optional().describe('what went wrong and what to do, when not passed'),
    startedAt: z.string(),
    endedAt: z.string(),
    objectives: z.object({
      rtoSeconds: z.number(),
      rpoSeconds: z.number(),
      rtoMet: z.boolean().optional().describe('the RTO objective was met: measured within it AND the recovery was verified (absent in results of pgdrill before 0.2)'),
      rpoMet: z.boolean().nullable().optional().describe('the RPO objective was met: measured within it and not only a lower bound; null: it does not apply (a recovery to a chosen past point)'),
      validateEverySeconds: z.number().optional().describe('the drill must pass at least this often (objectives.validateEvery)'),
      policy: z
        .object({ name: z.string(), owner: z.string().optional(), file: z.string(), sha256: z.string() })
        .optional()
        .describe('the objectives came from this policy file (objectives: { from })'),
    }),
    measured: z.object({
      rtoSeconds: z.number().nullable().describe('incident declared -> recovered instance promoted and verified (monotonic clock)'),
      rpoSeconds: z.number().nullable().describe('commit time of the last pre-incident transaction minus that of the newest one recovered (database clock)'),
      rpoLowerBound: z.boolean().describe('true when no pre-incident marker survived: the RPO is at least rpoSeconds'),
      rpoMethod: z
        .enum(['markers', 'freshness', 'dump-time'])
        .nullable()
        .optional()
        .describe("how the RPO was measured: markers (pgdrill's own heartbeat or, for an existing backup with live, its marker rows, committed on the source and looked for after recovery); freshness (a backup pgdrill did not make: the drill's start minus the commit time of the newest transaction the recovery replayed); dump-time (the same, from the end of a backup that replays no transaction)"),
      lostMarkers: z.number().nullable(),
      discardedMarkers: z.number().nullable().describe('markers committed after the incident, discarded by the recovery'),
      survivingPostIncidentMarkers: z.number().nullable().describe('markers committed after the incident that the recovery kept'),
      walReplayBytes: z.number().nullable(),
      walReplaySeconds: z.number().nullable(),
      walReplayBytesPerSecond: z.number().nullable(),
      walReplaySplit: z
        .object({
          startupSeconds: z.number().describe('"starting PostgreSQL" -> "redo starts at": the backup label read, the restored folder fsynced (it grows with the restored bytes still in the page cache)'),
          redoSeconds: z.number().describe('"redo starts at" -> "redo done at": the redo loop (it grows with the WAL)'),
          endSeconds: z.number().describe('"redo done at" -> "ready to accept connections": the end-of-recovery checkpoint (at most shared_buffers) and promotion'),
        })
        .optional()
        .describe("of wal-replay, the server's own time as its log's timestamps split it"),
      restoreFilesBytesPerSecond: z.number().nullable(),
      restoreCopySeconds: z.number().optional().describe("of restore-files, the seconds of its longest command: the copy of the files (cp, tar, the backup tool's restore); the rest of the phase is work of the same length at any size"),
      verifyDataSeconds: z.number().optional().describe("of verify, the seconds spent in the checks that read the tables (the drill's queries, table fingerprints); the rest is work of the same length at any size"),
      diskWriteBytesPerSecond: z.number().optional().describe('the work folder\'s disk: 64 MiB written and flushed (fdatasync) after verification, for a drill with objectives.forecast; a restore faster than this ran from memory'),
      restoreProcesses: z.number().int().optional().describe("processes the backup tool restored the files with, as it said (pgBackRest: the process-max of the user's configuration, 1 when unset)"),
      readinessLatencySeconds: z.number().nullable().describe('server log "ready" timestamp -> pgdrill proceeding'),
      walFetchSeconds: z.number().optional().describe('of wal-replay, the seconds spent in restore_command (fetching WAL from the archive or repository)'),
      walFilesFetched: z.number().int().optional().describe('WAL files (segments, history files) restore_command delivered'),
      walFilesStaged: z.number().int().optional().describe('of walFilesFetched, segments pgdrill had placed in pg_wal ahead of replay, which the server read there instead of fetching them'),
    }),
    phases: z.array(phase),
    checks: z.array(check),
    incident: z
      .object({
        kind: z.string(),
        description: z.string(),
        statement: z.string(),
        xid: z.string().optional(),
        lsnBefore: z.string(),
        lsnAfter: z.string(),
        commitTime: z.string().describe('commit time of the incident transaction, or the database clock at the damage'),
        commitMicros: z.number(),
        details: z.record(z.string(), z.string()).optional(),
        damageLsn: z.string().optional().describe('where in the WAL the damage starts, when it precedes the commit (DROP DATABASE)'),
        commitLsns: z.record(z.string(), z.string()).optional().describe('commit LSN of each transaction (by xid) committed while the incident ran, from pg_waldump'),
        lastCommitBefore: z.string().optional().describe('commit time of the newest transaction committed before the damage'),
        destroysPrimary: z.boolean().optional().describe('the primary was destroyed: every commit it acknowledged happened before the loss'),
        detections: z.array(check).optional().describe("pgdrill's own checks that noticed the damage"),
        declaredAt: z.string().optional().describe('when the incident was declared and the RTO clock started (runner clock)'),
      })
      .optional(),
    expectation: z.object({
      expect: z.enum(['recovered', 'detected']),
      met: z.boolean(),
      detail: z.string(),
    }),
    recovery: z.object({
      target: z.string().describe('as written in the drill'),
      resolved: z.string().optional().describe('the concrete target, in words'),
      settings: z.record(z.string(), z.string()),
      reached: z.boolean(),
      timeline: z.number().nullable(),
      evidence: z.array(z.string()).describe('server log lines that prove where recovery stopped'),
      lastReplayedCommit: z.object({ xid: z.string(), time: z.string() }).optional(),
    }),
    backup: z
      .object({
        method: z.string(),
        sizeBytes: z.number(),
        seconds: z.number(),
        startLsn: z.string().optional(),
        endLsn: z.string().optional(),
      })
      .optional(),
    markers: z.object({
      heartbeatSeconds: z.number(),
      written: z.number(),
      lastPreIncident: marker.optional(),
      newestRecovered: marker.optional(),
    }),
    environment: z.object({
      provider: z.string(),
      providerReason: z.string(),
      postgresVersion: z.string(),
      binDir: z.string().optional().describe('the folder of the server binaries that ran the drill (local provider)'),
      backupMethod: z.string(),
      toolVersions: z.record(z.string(), z.string()),
      serverUser: z.string().optional(),
      host: z.string(),
      platform: z.string(),
      node: z.string(),
      image: z.object({ name: z.string(), id: z.string().optional().describe("the image's content id, sha256:…") }).optional().describe('the docker provider: the pgdrill image the drill ran in'),
      settings: z.record(z.string(), z.string()).describe('primary settings that matter for recovery, as the server reports them'),
    }),
    commands: z.array(
      z.object({ label: z.string(), command: z.string(), exitCode: z.number().nullable(), seconds: z.number(), logFile: z.string() }),
    ),
    logs: z.array(z.string()).describe('log files, relative to the drill folder'),
    evidence: z
      .object({ signingKeyFingerprint: z.string().nullable().describe('SHA-256 fingerprint of the Ed25519 key that signs evidence/manifest.json, or null') })
      .optional(),
    error: z.object({ name: z.string(), message: z.string(), suggestion: z.string().optional() }).optional(),
    warnings: z.array(z.string()).optional().describe('problems that did not decide the verdict but must be seen, e.g. a cleanup step that failed'),
    source: z
      .object({
        kind: z.string().describe('pgbackrest | basebackup | dump'),
        label: z.string(),
        chosenBy: z.string().describe('latest, oldest, random (seed), or the label asked for'),
        location: z.string().describe('the repository, folder or file it came from (read only)'),
        pgMajor: z.number(),
        startTime: z.string().optional(),
        stopTime: z.string().optional(),
        startLsn: z.string().optional(),
        stopLsn: z.string().optional(),
        sizeBytes: z.number(),
        walRange: z.object({ first: z.string(), last: z.string() }).optional(),
        available: z.array(z.string()),
        ageSecondsAtDrill: z.number().nullable(),
        toolVersion: z.string(),
      })
      .optional()
      .describe('a drill of an existing backup: the backup restored'),
    sandbox: z
      .object({
        overrides: z.array(z.object({ setting: z.string(), original: z.string(), sandbox: z.string(), why: z.string() })),
        warnings: z.array(z.string()),
      })
      .optional()
      .describe("the production settings the sandbox overrides, with their original values"),
    readOnly: z
      .object({ enforced: z.boolean(), how: z.string(), paths: z.array(z.string()), why: z.string().optional() })
      .optional()
      .describe("a drill of an existing backup: whether the user's paths were read-only for every child of the drill (the sandbox server and its restore_command included), how, and why not"),
    freshness: z
      .object({ seconds: z.number(), newestCommit: z.string(), from: z.string(), lossAt: z.string() })
      .optional()
      .describe('the freshness RPO of an existing backup: lossAt (the drill start) minus newestCommit'),
    pipeline: z
      .array(z.object({ check: z.string(), status: z.enum(['passed', 'warning', 'failed']), detail: z.string(), fix: z.string().optional() }))
      .optional()
      .describe('a drill of an existing backup: the health of the backup pipeline (pgdrill check), checked before the restore; a warning or failure here is listed in warnings and does not change the verdict'),
    live: z
      .object({
        mode: z.enum(['archive-at-loss', 'switch-wal']).describe('archive-at-loss: the loss right after the last marker, with whatever WAL had been archived by then; switch-wal: the planned case, after pg_switch_wal() reached the backup system'),
        lossAt: z.string().describe('the simulated loss of the primary (runner clock)'),
        segmentAtLoss: z.string().nullable().describe('the newest WAL segment the backup system held at the loss: the recovery read none after it'),
        markersWritten: z.number().int(),
        failedWrites: z.number().int(),
        database: z.string(),
      })
      .optional()
      .describe('a drill of an existing backup with live: markers written on the source, then a simulated loss; measured.rpoMethod is markers'),
    forecast: z
      .object({
        sizeBytes: z.number(),
        walPerHourBytes: z.number().nullable(),
        backupEverySeconds: z.number(),
        rtoSeconds: z.number(),
        restoreSeconds: z.number(),
        replaySeconds: z.number(),
        verifySeconds: z.number().optional().describe('verification at that size (its time grows with the data)'),
        fixedSeconds: z.number(),
        withinObjective: z.boolean(),
        assumptions: z.array(z.string()),
      })
      .optional()
      .describe('objectives.forecast: the RTO estimated at production size from the rates this drill measured'),
    integrity: z
      .object({
        level: z.enum(['quick', 'full']),
        inRto: z.boolean().describe('counted in the RTO (integrity.inRto); pg_checksums never is (the server is stopped for it)'),
        jobs: z.number().int().describe('connections checking in parallel'),
        databases: z.array(z.string()),
        restoredBytes: z.number().describe('pg_database_size summed over the databases, before the pass'),
        tablesRead: z.number().int().describe('tables covered (full: read end to end; quick: scanned or proven by their page checksums)'),
        rowsRead: z.number(),
        bytesRead: z.number().describe('on-disk size of the tables read while the server ran (main fork + TOAST); quick leaves the tables its page checksums prove to pg_checksums'),
        readSeconds: z.number(),
        readBytesPerSecond: z.number().nullable(),
        indexesChecked: z.number().int().optional(),
        heapsChecked: z.number().int().optional(),
        dataChecksums: z.boolean(),
        checksums: z.object({ ran: z.boolean(), detail: z.string(), seconds: z.number(), blocksScanned: z.number().optional() }).optional(),
        findingsTotal: z.number().int(),
        findings: z
          .array(z.object({ tool: z.enum(['read', 'amcheck', 'verify_heapam', 'pg_checksums', 'page-scan']), database: z.string(), relation: z.string(), block: z.number().nullable(), message: z.string() }))
          .describe('the first 200 (findingsTotal counts them all)'),
        rowCounts: z.array(z.object({ database: z.string(), table: z.string(), rows: z.number(), bytes: z.number(), estimated: z.literal(true).optional().describe('the planner estimate: quick proved this table by its page checksums, no scan counted its rows') })).describe("the drill's own tables, then the largest, up to 100"),
        notes: z.array(z.string()),
      })
      .optional()
      .describe('the integrity pass over the restored instance (verify: integrity: quick | full)'),
    sanity: z
      .object({
        history: z.number().int().describe('earlier runs of this drill the medians are taken over'),
        sizeChange: z.number().describe('the allowed change, as a fraction'),
        backupBytes: z.number().nullable(),
        backupMedian: z.number().nullable(),
        restoredBytes: z.number().nullable(),
        restoredMedian: z.number().nullable(),
      })
      .optional()
      .describe("this run's backup and restored sizes against the median of the same drill's earlier runs in the output folder"),
  })
  .describe('pgdrill result.json: one drill of one run');

export type DrillResult = z.infer<typeof resultSchema>;

export const summarySchema = z.object({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  runId: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  exitCode: z.number(),
  drills: z.array(
    z.object({
      drill: z.string(),
      status: z.enum(['passed', 'failed', 'unverified', 'error']),
      verdict: z.string(),
      rtoSeconds: z.number().nullable(),
      rpoSeconds: z.number().nullable(),
      objectives: z.object({ rtoSeconds: z.number(), rpoSeconds: z.number() }),
      result: z.string().describe('path of result.json'),
      report: z.string().describe('path of report.html'),
      fromShard: z.string().optional().describe('pgdrill aggregate: the run id of the shard this drill ran in (its manifest is in evidence/shards/)'),
      shard: z.string().optional().describe('pgdrill aggregate: the shard it ran in, as i/N'),
    }),
  ),
  shard: z.object({ index: z.number(), of: z.number() }).optional().describe('run --shard i/N: which shard this run was'),
  missingShards: z.array(z.string()).optional().describe('pgdrill aggregate: planned shards that reported nothing, as i/N'),
  warnings: z.array(z.string()),
  process: z
    .object({ peakRssBytes: z.number().describe("peak resident memory of the pgdrill process itself"), concurrency: z.number() })
    .optional(),
});

export type RunSummary = z.infer<typeof summarySchema>;
