// The drill file format as a zod schema. The loader (loader.ts) turns zod issues into file:line problems,
// so each message here says what is wrong and how to fix it.
import { z } from 'zod';
import { DURATION_FIX, parseDuration } from './duration.js';
import { backupMethodNames, methodFacts, methodsWith } from '../backup/registry.js';
import { INCIDENT_FACTS } from '../incidents/registry.js';
import { isTableName } from '../verify/sql-ident.js';
import { integrityCheck, oneIntegrityEntry, sanity } from './integrity-schema.js';
import { forecastSpec } from './forecast.js';

/** Incident kinds a check is meant to find (expect: detected). */
function detectable(): string[] {
  return Object.entries(INCIDENT_FACTS).flatMap(([k, f]) => (f.detectedBy ? [k] : []));
}


/** A duration written as 500ms, 30s, 7m, 1h; parsed to milliseconds. */
export const duration = z.string({ error: (iss) => `${iss.input === undefined ? 'is required' : `${JSON.stringify(iss.input)} is not a duration`}; ${DURATION_FIX}` }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; ${DURATION_FIX}` });
    return z.NEVER;
  }
  return ms;
});

/** A table name as SQL writes it: orders, sales.orders, public."Audit Trail" (unquoted names fold to lower case). */
export const tableName = z.string().refine(isTableName, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a table name; write it as SQL does: orders, sales.orders, or public."Audit Trail" (quote mixed case and spaces)`,
});

/** A quoted list for messages: "a", "b". */
const oneOf = (values: readonly string[]) => values.join(', ');
/** "x" is not a <what>; use one of ... */
export const notOneOf = (what: string, values: readonly string[]) => (iss: { input?: unknown }) =>
  iss.input === undefined ? `is required; use one of: ${oneOf(values)}` : `${JSON.stringify(iss.input)} is not ${what}; use one of: ${oneOf(values)}`;

/** Settings pgdrill itself owns: a drill that sets them would break isolation or the measurements. */
export const MANAGED_SETTINGS = [
  'port',
  'listen_addresses',
  'unix_socket_directories',
  'archive_mode',
  'archive_command',
  'archive_library',
  'restore_command',
  'track_commit_timestamp',
  'data_directory',
  'hba_file',
  'ident_file',
  'log_line_prefix',
  'log_destination',
  'logging_collector',
  // pgdrill reads English LOG lines and needs commits that do not wait for a standby: it pins these.
  'lc_messages',
  'log_min_messages',
  'synchronous_standby_names',
  'default_transaction_read_only',
] as const;

export const settingValue = z.union([z.string(), z.number(), z.boolean()], {
  error: 'must be a string, number or boolean',
});

const postgres = z.strictObject({
  version: z.literal(15, { error: 'only PostgreSQL 15 is supported by this release; write version: 15' }).default(15),
  /** The image the drill runs in with provider docker (default PGDRILL_IMAGE, or pgdrill/pgdrill:<this version>). */
  image: z.string().min(1).optional(),
  settings: z
    .record(z.string(), settingValue)
    .superRefine((settings, ctx) => {
      for (const key of Object.keys(settings)) {
        if ((MANAGED_SETTINGS as readonly string[]).includes(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `${key} is managed by pgdrill (isolation and measurement depend on it); remove it`,
          });
        }
      }
      if (settings['wal_level'] === 'minimal') {
        ctx.addIssue({
          code: 'custom',
          path: ['wal_level'],
          message: 'wal_level minimal cannot be archived or recovered to a point in time; use replica or logical',
        });
      }
    })
    .default({}),
});

export const sqlCheck = z.strictObject({
  name: z.string().optional(),
  sql: z.string().min(1, { message: 'must be a SQL query' }),
  expect: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
  compare: z.literal('pre-incident', { error: 'the only comparison is pre-incident' }).optional(),
});

export const tableCheck = z.strictObject({
  name: z.string().optional(),
  table: tableName,
});

const check = z.union([sqlCheck, tableCheck, integrityCheck], {
  error: 'each verify entry is { sql, expect | compare: pre-incident }, { table } or { integrity: quick | full | off }',
});

const declareAfter = duration.default(500).describe('how long the application keeps writing before the incident is declared');

/** One incident kind: its own keys plus declareAfter. */
function incidentKind<K extends string, S extends z.ZodRawShape>(kind: K, shape: S) {
  return z.strictObject({ kind: z.literal(kind), declareAfter, ...shape });
}

export const INCIDENT_KINDS = [
  'drop-table',
  'truncate',
  'delete-rows',
  'update-rows',
  'drop-database',
  'primary-loss',
  'corrupt-page',
  'missing-wal',
  'corrupt-backup',
] as const;

const databaseName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, { message: 'must be a database name (letters, digits, _ and $)' });

const incident = z.discriminatedUnion(
  'kind',
  [
    incidentKind('drop-table', { table: tableName }),
    incidentKind('truncate', { table: tableName }),
    incidentKind('delete-rows', { table: tableName, where: z.string().min(1).optional() }),
    incidentKind('update-rows', { table: tableName, set: z.string().min(1), where: z.string().min(1).optional() }),
    incidentKind('drop-database', { database: databaseName }),
    incidentKind('primary-loss', {}),
    incidentKind('corrupt-page', { table: tableName, block: z.number().int().min(0).default(0) }),
    incidentKind('missing-wal', {}),
    incidentKind('corrupt-backup', {}),
  ],
  { error: (iss) => notOneOf('an incident kind', INCIDENT_KINDS)({ input: (iss.input as { kind?: unknown } | undefined)?.kind }) },
);

export const TARGET_KINDS = ['before-incident', 'time', 'xid', 'lsn', 'name', 'immediate', 'latest'] as const;

export const timestampWithZone = z.string().refine((t) => /(Z|[+-]\d{2}(:?\d{2})?|\bUTC)$/i.test(t.trim()) && !Number.isNaN(Date.parse(t)), {
  message: 'must be a timestamp with an explicit time zone, e.g. 2026-11-23 19:40:01.5+00 or 2026-11-23T19:40:01Z',
});

export const recovery = z
  .strictObject({
    /** Absent: before-incident, or the backup itself for methods without WAL (decided with the method below). */
    target: z.enum(TARGET_KINDS, { error: notOneOf('a recovery target', TARGET_KINDS) }).optional(),
    at: timestampWithZone.optional(),
    marker: z.number().int().min(1).optional(),
    xid: z.union([z.string().regex(/^\d+$/), z.number().int().min(3)]).transform(String).optional(),
    lsn: z.string().regex(/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/, { message: 'must be an LSN such as 0/3000060' }).optional(),
    name: z.string().min(1).max(63).optional(),
    inclusive: z.boolean().optional(),
    timeline: z.union([z.enum(['latest', 'current']), z.number().int().min(1)]).default('latest'),
    timeout: duration.default(600_000),
  })
  .superRefine((r, ctx) => {
    const only = (key: 'at' | 'marker' | 'xid' | 'lsn' | 'name', targets: string[]) => {
      if (r[key] !== undefined && !targets.includes(r.target ?? '')) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} only applies to target ${targets.join(' or ')}; remove it or change recovery.target` });
      }
    };
    only('at', ['time']);
    only('marker', ['time']);
    only('xid', ['xid']);
    only('lsn', ['lsn']);
    only('name', ['name']);
    if (r.at !== undefined && r.marker !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['marker'], message: 'give either at or marker for a time target, not both' });
    }
    if (r.inclusive !== undefined && !['time', 'xid', 'lsn'].includes(r.target ?? '')) {
      ctx.addIssue({ code: 'custom', path: ['inclusive'], message: 'inclusive applies to time, xid and lsn targets only' });
    }
  });

const background = z.strictObject({
  sql: z.string().min(1),
  every: duration,
});

const workload = z.strictObject({
  fixtures: z.array(z.string()).default([]),
  pgbench: z
    .strictObject({
      scale: z.number().int().min(1).max(10_000),
      /** pgbench -T after the backup, so recovery has that much WAL to replay. */
      duration: duration.optional(),
      clients: z.number().int().min(1).max(64).default(2),
    })
    .optional(),
  heartbeat: duration.default(200),
  /** How long the heartbeat (the application) writes before the incident, after the backup. */
  runFor: duration.default(0),
  background: z.array(background).default([]),
});

/** The documented objectives every drill is judged against. */
export const objectives = z.strictObject({
  rto: duration.refine((ms) => ms > 0, { error: 'must be more than 0: no recovery takes no time; write the time your runbook promises, e.g. 7m' }),
  rpo: duration,
  /** A drill of an existing backup: the newest backup may be at most this old (pgdrill check). */
  maxBackupAge: duration.optional(),
  /** The drill must pass at least this often: older, it is overdue (history page, aggregate coverage). */
  validateEvery: duration.optional(),
  /** The production size this drill stands for: the report estimates the RTO there from the measured rates. */
  forecast: forecastSpec.optional(),
});

const s3Repository = z.strictObject({
  type: z.literal('s3', { error: 's3 is the one repository type besides the default (a folder in the work folder)' }),
  bucket: z.string().min(3),
  endpoint: z.url({ protocol: /^https$/, error: 'the https:// URL of the S3 API, e.g. https://s3.eu-west-1.amazonaws.com or https://minio.internal:9000 (pgBackRest 2.45 speaks S3 over TLS only)' }),
  region: z.string().min(1).default('us-east-1'),
  uriStyle: z.enum(['path', 'host']).default('host'),
  verifyTls: z.boolean().default(true),
  /** A CA certificate for a private endpoint. */
  caFile: z.string().min(1).optional(),
  /** Every drill writes below <prefix>/<its work folder's name> and deletes it at the end. */
  prefix: z.string().regex(/^\/[A-Za-z0-9._/-]*$/).default('/pgdrill'),
});

const cloudDestination = z.strictObject({
  destination: z.string().regex(/^(s3|azure|gs):\/\/[^/]+/, { error: 'a destination URL for barman-cloud, e.g. s3://my-drills/barman' }),
  endpoint: z.url({ error: 'an URL, e.g. https://minio.internal:9000' }).optional(),
  cloudProvider: z.enum(['aws-s3', 'azure-blob-storage', 'google-cloud-storage']).default('aws-s3'),
  profile: z.string().min(1).optional(),
});

export const drillSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().optional(),
    objectives,
    postgres: postgres.default({ version: 15, settings: {} }),
    provider: z
      .enum(['auto', 'local', 'docker'], { error: notOneOf('a provider', ['auto', 'local', 'docker']) })
      .default('auto'),
    backup: z
      .strictObject({
        // Checked against the registry when a drill is loaded, so a registered method is a valid name.
        method: z.string().refine((m) => methodFacts(m) !== undefined, { error: (iss) => notOneOf('a backup method', backupMethodNames())(iss) }),
        /** pgBackRest's repository on S3-compatible storage instead of the work folder (keys from the environment). */
        repo: s3Repository.optional(),
        /** barman-cloud's destination (the drill writes as its own server below it and deletes it at the end). */
        cloud: cloudDestination.optional(),
      })
      .default({ method: 'pg_basebackup' }),
    workload: workload.default({ fixtures: [], heartbeat: 200, runFor: 0, background: [] }),
    incident,
    expect: z.enum(['recovered', 'detected'], { error: notOneOf('an expectation', ['recovered', 'detected']) }).default('recovered'),
    recovery: recovery.default({ timeline: 'latest', timeout: 600_000 }),
    verify: z.array(check).superRefine(oneIntegrityEntry).default([]),
    sanity,
    timeouts: z.strictObject({ step: duration.default(600_000) }).default({ step: 600_000 }),
  })
  .superRefine((drill, ctx) => {
    // Options of a method (backup.repo, backup.cloud) come from its facts: the schema names no method.
    const accepts = methodFacts(drill.backup.method)?.options ?? {};
    for (const key of ['repo', 'cloud'] as const) {
      const takers = backupMethodNames().filter((m) => methodFacts(m)?.options?.[key]);
      if (drill.backup[key] !== undefined && !accepts[key]) {
        ctx.addIssue({ code: 'custom', path: ['backup', key], message: `backup.${key} is not an option of backup method ${drill.backup.method} (it is for ${takers.join(', ')}); remove it` });
      }
      if (drill.backup[key] === undefined && accepts[key] === 'required') {
        ctx.addIssue({ code: 'custom', path: ['backup', key], message: `backup method ${drill.backup.method} needs backup.${key}` });
      }
    }
    const kind = drill.incident.kind;
    const target = drill.recovery.target;
    const method = methodFacts(drill.backup.method);
    if (!method) return; // reported above
    if (!method.pointInTime && target !== undefined && target !== 'immediate') {
      ctx.addIssue({
        code: 'custom',
        path: ['recovery', 'target'],
        message: `backup method ${drill.backup.method} keeps no WAL, so it cannot recover to a point in time (${target}); remove recovery.target (the backup itself is restored) or write immediate, or use a method with WAL (pg_basebackup, pgbackrest, barman)`,
      });
    }
    if (kind === 'primary-loss' && target !== undefined && !['before-incident', 'latest'].includes(target)) {
      ctx.addIssue({
        code: 'custom',
        path: ['recovery', 'target'],
        message: 'after a primary loss only the base backup and the archive remain: use target latest (or before-incident, which means latest here)',
      });
    }
    const facts = INCIDENT_FACTS[kind];
    if (facts.detectedBy && drill.expect !== 'detected') {
      ctx.addIssue({ code: 'custom', path: ['expect'], message: `a ${kind} drill proves the damage is caught: add expect: detected` });
    }
    if (!facts.detectedBy && drill.expect === 'detected') {
      ctx.addIssue({
        code: 'custom',
        path: ['expect'],
        message: `expect: detected applies to incidents that a check is meant to find (${detectable().join(', ')}); a ${kind} drill recovers: write expect: recovered or remove it`,
      });
    }
    if (facts.requires && !method[facts.requires]) {
      ctx.addIssue({
        code: 'custom',
        path: ['backup', 'method'],
        message: `incident ${kind} cannot damage a ${drill.backup.method} backup (it works with ${methodsWith(facts.requires).join(', ')}); use one of those methods`,
      });
    }
  })
  .transform((drill) => ({
    ...drill,
    // No target: before the incident, or the backup itself when the method keeps no WAL.
    recovery: { ...drill.recovery, target: drill.recovery.target ?? (methodFacts(drill.backup.method)?.pointInTime === false ? ('immediate' as const) : ('before-incident' as const)) },
  }));

export type DrillInput = z.input<typeof drillSchema>;
export type DrillSpec = z.output<typeof drillSchema>;
export type CheckSpec = DrillSpec['verify'][number];
export type IncidentSpec = DrillSpec['incident'];
