// The parts both drill shapes share (schema.ts builds its own primary, source-schema.ts restores a backup the
// user has): durations, names, settings, the recovery section, objectives, checks, where the drill runs. No
// registry is imported here, so adapters may build their own schema fragments from these parts.
import { z } from 'zod';
import { isTableName } from '../pg/identifiers.js';
import { duration } from './duration.js';
import { forecastSpec } from './forecast.js';

export { duration };

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

export const databaseName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$-]*$/, { message: 'must be a database name (letters, digits, _, - and $)' });

/** A role as SQL names it: app_rw, or a quoted name. */
export const roleName = z.string().min(1).max(63);

/** Where a check runs: its database (default: the verify section's, else postgres) and the role it runs as. */
const where = { database: databaseName.optional(), as: roleName.optional() };

/**
 * What a query must return: the first column of the first row as text (`expect: "100"`, true, 42), no row at all
 * (`expect: empty`), or `{ min, max }` (a number), `{ matches: <regular expression> }`, `{ equals: <text> }`.
 */
export const expectation = z.union(
  [
    z.union([z.string(), z.number(), z.boolean()]).transform((v) => (v === 'empty' ? ({ empty: true } as const) : String(v))),
    z
      .strictObject({ equals: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(), min: z.number().optional(), max: z.number().optional(), matches: z.string().optional() })
      .refine((e) => Object.keys(e).length > 0, { message: 'name one of equals, min, max, matches' })
      .refine((e) => e.matches === undefined || isRegExp(e.matches), { message: 'matches must be a regular expression, e.g. "^2026-"' }),
  ],
  { error: 'expect is a value ("100", true), empty (no row), or { min, max }, { matches }, { equals }' },
);
export type Expectation = z.output<typeof expectation>;

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

export const sqlCheck = z.strictObject({
  name: z.string().optional(),
  sql: z.string().min(1, { message: 'must be a SQL query' }),
  expect: expectation.optional(),
  /** pre-incident: the value just before an incident pgdrill caused; source: the live source's answer now (read-only). */
  compare: z.enum(['pre-incident', 'source'], { error: 'compare is pre-incident (a drill that causes its incident) or source (a drill of an existing backup with live)' }).optional(),
  ...where,
});

export const tableCheck = z.strictObject({
  name: z.string().optional(),
  table: tableName,
  ...where,
});

/** Checks of the whole restored cluster, named by one word in a verify list (`- sequences`). */
export const CLUSTER_CHECKS = ['sequences', 'extensions', 'collations'] as const;

/** The application's view of the cluster: sequences, extensions, collations, roles, a schema snapshot. */
export const appCheck = z.union([
  z.enum(CLUSTER_CHECKS).transform((k) => ({ [k]: true }) as { sequences?: true; extensions?: true; collations?: true }),
  z.strictObject({ roles: z.array(roleName).min(1), name: z.string().optional() }),
  z.strictObject({ schema: z.string().min(1), database: databaseName.optional(), name: z.string().optional() }),
]);

/**
 * The verify section: a list of checks, or `{ database, as, checks }` whose database and role every check takes
 * unless it names its own. Either way the drill holds the list, each check with where it runs (validated as one).
 */
export function verifySection<C extends z.ZodType>(check: C, refine: (checks: Array<z.output<C>>, ctx: z.RefinementCtx) => void) {
  return z.preprocess((raw, ctx) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
    const o = raw as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !['database', 'as', 'checks'].includes(k));
    if (unknown.length > 0 || !Array.isArray(o['checks'])) {
      ctx.addIssue({ code: 'custom', message: `${unknown.length ? `unknown key ${unknown.map((k) => `"${k}"`).join(', ')}: ` : ''}verify is a list of checks, or { database, as, checks: [...] }` });
      return raw;
    }
    return (o['checks'] as unknown[]).map((c) => {
      if (c === null || typeof c !== 'object' || Array.isArray(c) || 'integrity' in c || 'roles' in c) return c;
      return { ...(o['database'] !== undefined ? { database: o['database'] } : {}), ...(o['as'] !== undefined ? { as: o['as'] } : {}), ...c };
    });
  }, z.array(check).superRefine(refine));
}

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


export const PROVIDERS = ['auto', 'local', 'docker'] as const;

/** Where Postgres runs: auto | local | docker (the CLI's --provider overrides it). */
export const provider = z.enum(PROVIDERS, { error: notOneOf('a provider', PROVIDERS) }).default('auto');

/** How long any single command may take. */
export const timeouts = z.strictObject({ step: duration.default(600_000) }).default({ step: 600_000 });


/** Refuses settings pgdrill owns (postgres.settings, sandbox.settings). */
export function refuseManagedSettings(settings: Record<string, unknown>, ctx: z.RefinementCtx, at: (string | number)[] = []): void {
  for (const key of Object.keys(settings)) {
    if ((MANAGED_SETTINGS as readonly string[]).includes(key)) {
      ctx.addIssue({ code: 'custom', path: [...at, key], message: `${key} is managed by pgdrill (isolation and measurement depend on it); remove it` });
    }
  }
}

/** Which backup of a repository: the newest, the oldest, one chosen at random (seeded), or a label / id. */
export const backupSelection = z.string().min(1).default('latest').describe('latest | oldest | random | a backup label or id');

/**
 * The runbook's own steps after the restore, before the checks, inside the RTO: SQL (a statement, or a .sql file
 * relative to the drill file) in a database and as a role, or a command (argv) with PGHOST, PGPORT, PGUSER and
 * PGDATABASE pointing at the restored instance. A step that fails fails the drill.
 */
export const afterRestore = z
  .array(
    z.union(
      [
        z.strictObject({ sql: z.string().min(1), database: databaseName.optional(), as: roleName.optional(), name: z.string().optional() }),
        z.strictObject({ command: z.array(z.string().min(1)).min(1), database: databaseName.optional(), name: z.string().optional() }),
      ],
      { error: 'each afterRestore step is { sql: <statement or file.sql>, database, as } or { command: [argv...] }' },
    ),
  )
  .default([]);
export type AfterRestoreStep = z.output<typeof afterRestore>[number];

/** Whether an afterRestore sql value names a file (one .sql path, no statement). */
export const isSqlFile = (sql: string) => /^[^\s;]+\.sql$/.test(sql.trim());
