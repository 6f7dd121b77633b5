// The drill file format as a zod schema. The loader (loader.ts) turns zod issues into file:line problems,
// so each message here says what is wrong and how to fix it.
import { z } from 'zod';
import { DURATION_FIX, parseDuration } from './duration.js';

/** A duration written as 500ms, 30s, 7m, 1h; parsed to milliseconds. */
const duration = z.string({ error: `must be a duration; ${DURATION_FIX}` }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; ${DURATION_FIX}` });
    return z.NEVER;
  }
  return ms;
});

/** A table name, optionally schema-qualified: orders or sales.orders. */
const tableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/, {
    message: 'must be a table name such as orders or sales.orders (letters, digits, _ and $)',
  });

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
] as const;

const settingValue = z.union([z.string(), z.number(), z.boolean()], {
  error: 'must be a string, number or boolean',
});

const postgres = z.strictObject({
  version: z.literal(15, { error: 'only PostgreSQL 15 is supported by this release; write version: 15' }).default(15),
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

const sqlCheck = z.strictObject({
  name: z.string().optional(),
  sql: z.string().min(1, { message: 'must be a SQL query' }),
  expect: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
  compare: z.literal('pre-incident', { error: 'the only comparison is pre-incident' }).optional(),
});

const tableCheck = z.strictObject({
  name: z.string().optional(),
  table: tableName,
});

const check = z.union([sqlCheck, tableCheck], {
  error: 'each verify entry is either { sql, expect | compare: pre-incident } or { table }',
});

const dropTable = z.strictObject({ kind: z.literal('drop-table'), table: tableName });

const incident = z.discriminatedUnion('kind', [dropTable], {
  error: 'incident.kind must be one of: drop-table',
});

const recovery = z.strictObject({
  target: z
    .literal('before-incident', { error: 'recovery.target must be before-incident in this release' })
    .default('before-incident'),
  timeout: duration.default(600_000),
});

const background = z.strictObject({
  sql: z.string().min(1),
  every: duration,
});

const workload = z.strictObject({
  fixtures: z.array(z.string()).default([]),
  pgbench: z.strictObject({ scale: z.number().int().min(1).max(10_000) }).optional(),
  heartbeat: duration.default(200),
  background: z.array(background).default([]),
});

export const drillSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().optional(),
    objectives: z.strictObject({ rto: duration, rpo: duration }),
    postgres: postgres.default({ version: 15, settings: {} }),
    provider: z
      .enum(['auto', 'local', 'docker'], { error: 'provider must be auto, local or docker' })
      .default('auto'),
    backup: z
      .strictObject({
        method: z.enum(['pg_basebackup'], { error: 'backup.method must be pg_basebackup in this release' }),
      })
      .default({ method: 'pg_basebackup' }),
    workload: workload.default({ fixtures: [], heartbeat: 200, background: [] }),
    incident,
    recovery: recovery.default({ target: 'before-incident', timeout: 600_000 }),
    verify: z.array(check).default([]),
    timeouts: z.strictObject({ step: duration.default(600_000) }).default({ step: 600_000 }),
  })
  .superRefine((drill, ctx) => {
    if (drill.provider === 'docker') {
      ctx.addIssue({
        code: 'custom',
        path: ['provider'],
        message: 'the docker provider is not available in this release; use provider: local (or auto)',
      });
    }
  });

export type DrillInput = z.input<typeof drillSchema>;
export type DrillSpec = z.output<typeof drillSchema>;
export type CheckSpec = DrillSpec['verify'][number];
export type IncidentSpec = DrillSpec['incident'];
