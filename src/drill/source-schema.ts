// The drill file of a backup the user already has (`source:`): which backup, where the sandbox runs, the target,
// the checks. The shared parts come from schema-parts.ts, each kind of source brings its own section (its
// tool's tool.ts, read from the registry); the self-contained sections (workload, incident, backup, expect) do not
// fit here and are refused with the reason.
import { z } from 'zod';
import { registryGeneration, sourceKinds } from '../tools/registry.js';
import type { SourceKind } from '../tools/tool.js';
import { integrityCheck, oneIntegrityEntry, sanity } from './integrity-schema.js';
import { afterRestore, appCheck, duration, objectives, provider, recovery, refuseManagedSettings, settingValue, sqlCheck, tableCheck, timeouts, verifySection } from './schema-parts.js';

/**
 * A connection to the live source, for a measured RPO: markers are written there for `runFor`, then a loss of the
 * primary is simulated and the recovery is limited to the WAL that had reached the backup system at that moment.
 */
const live = z.strictObject({
  conninfo: z
    .string()
    .regex(/^env:[A-Za-z_][A-Za-z0-9_]*$/, {
      error: 'write env:NAME: the connection string (with its password) is read from that environment variable, never from the drill file, and is never written anywhere',
    })
    .describe('env:NAME of the variable holding the connection string of the marker role'),
  runFor: duration.default(60_000),
  heartbeat: duration.default(1_000),
  /** The planned case: pg_switch_wal() and wait until archived before the loss (RPO 0 up to the heartbeat). */
  switchWal: z.boolean().default(false),
  /** How long to wait for the switched segment to reach the backup system (switchWal only). */
  archiveTimeout: duration.default(120_000),
});

const notHere = (key: string) =>
  z.never({
    error: `${key} belongs to drills that build their own primary; a drill of an existing backup (source:) restores that backup: remove ${key}, or remove source`,
  });

const SANDBOX_DEFAULT = { settings: {}, user: 'postgres' };

function buildSourceDrillSchema(kinds: SourceKind[]) {
  const keys = kinds.map((k) => k.key);
  const source = z
    .strictObject({ ...Object.fromEntries(kinds.map((k) => [k.key, k.schema.optional()])), seed: z.number().int().optional(), live: live.optional() })
    .superRefine((s, ctx) => {
      const given = keys.filter((k) => (s as Record<string, unknown>)[k] !== undefined);
      if (given.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: given.length === 0 ? `names no backup; give one of: ${keys.join(', ')}` : `names ${given.join(' and ')}; a drill restores one source, give exactly one of: ${keys.join(', ')}`,
        });
      }
    });
  /** Why the named backup holds no WAL (only the backup itself can be restored), for a target; undefined when it has WAL. */
  const withoutWal = (d: { source: object }, target: string) => {
    const given = d.source as Record<string, unknown>;
    const kind = kinds.find((k) => given[k.key] !== undefined);
    return kind ? kind.withoutWal?.(given[kind.key], target) : undefined;
  };
  return z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().optional(),
    objectives,
    source,
    provider,
    recovery: recovery.default({ timeline: 'latest', timeout: 600_000 }),
    verify: verifySection(z.union([sqlCheck, tableCheck, integrityCheck, appCheck], { error: 'each verify entry is { sql, expect }, { table }, { integrity: quick | full | off }, sequences, extensions, collations, { roles: [...] } or { schema: <file> }' }), (checks, ctx) => {
      oneIntegrityEntry(checks, ctx);
      for (const [i, c] of checks.entries()) {
        if ('compare' in c && c.compare === 'pre-incident') {
          ctx.addIssue({ code: 'custom', path: [i, 'compare'], message: 'compare: pre-incident needs the value before an incident pgdrill caused; a drill of an existing backup has none, so the check could never fail: write expect: with the value the query must return, or compare: source with live' });
        }
      }
    }).default([]),
    afterRestore,
    sanity,
    sandbox: z
      .strictObject({
        /** Extra settings for the restored instance, on top of the overrides pgdrill makes. */
        settings: z.record(z.string(), settingValue).default({}),
        /** The role pgdrill connects as in the sandbox (an existing superuser of the cluster). */
        user: z.string().min(1).default('postgres'),
      })
      .default(SANDBOX_DEFAULT),
    timeouts,
    workload: notHere('workload').optional(),
    incident: notHere('incident').optional(),
    backup: notHere('backup').optional(),
    expect: notHere('expect').optional(),
    postgres: notHere('postgres (the sandbox runs the backup\'s own major version; extra settings go under sandbox.settings)').optional(),
  })
  .superRefine((d, ctx) => {
    if (d.recovery.target === 'before-incident') {
      ctx.addIssue({ code: 'custom', path: ['recovery', 'target'], message: 'before-incident needs an incident pgdrill caused; for an existing backup use latest, time, lsn, xid, name or immediate' });
    }
    if (d.recovery.target === 'time' && d.recovery.at === undefined) {
      ctx.addIssue({ code: 'custom', path: ['recovery', 'at'], message: 'a time target of an existing backup needs at: (a timestamp with a time zone)' });
    }
    if (d.recovery.target === 'time' && d.recovery.marker !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['recovery', 'marker'], message: 'markers belong to drills that write their own; use at:' });
    }
    for (const [key, target] of [['xid', 'xid'], ['lsn', 'lsn'], ['name', 'name']] as const) {
      if (d.recovery.target === target && d.recovery[key] === undefined) {
        ctx.addIssue({ code: 'custom', path: ['recovery', key], message: `a ${target} target of an existing backup needs ${key}:` });
      }
    }
    const noWal = d.recovery.target !== undefined && d.recovery.target !== 'immediate' ? withoutWal(d, d.recovery.target) : undefined;
    if (noWal) ctx.addIssue({ code: 'custom', path: ['recovery', 'target'], message: noWal });
    const live = d.source.live;
    for (const [i, c] of d.verify.entries()) {
      if (!live && 'compare' in c && c.compare === 'source') {
        ctx.addIssue({ code: 'custom', path: ['verify', i, 'compare'], message: 'compare: source runs the query on the live source too: add source.live (conninfo), or write expect:' });
      }
    }
    if (live) {
      if (withoutWal(d, 'latest')) {
        ctx.addIssue({ code: 'custom', path: ['source', 'live'], message: 'a measured RPO needs the WAL archive the source writes to; a dump or a base backup without walArchive has none: remove live' });
      }
      if (d.recovery.target !== undefined && d.recovery.target !== 'latest') {
        ctx.addIssue({ code: 'custom', path: ['recovery', 'target'], message: `with live, recovery replays all the WAL that had reached the backup system at the simulated loss (latest); ${d.recovery.target} does not fit: remove recovery.target or live` });
      }
      if (live.heartbeat > live.runFor) {
        ctx.addIssue({ code: 'custom', path: ['source', 'live', 'heartbeat'], message: `heartbeat (${live.heartbeat / 1000}s) is longer than runFor (${live.runFor / 1000}s): no two markers to compare; shorten heartbeat or lengthen runFor` });
      }
    }
    refuseManagedSettings(d.sandbox.settings, ctx, ['sandbox', 'settings']);
  })
  .transform(({ workload: _w, incident: _i, backup: _b, expect: _e, postgres: _p, ...d }) => ({
    ...d,
    kind: 'source' as const,
    // No target: everything the backup and its archive hold (the backup itself when there is no WAL).
    recovery: { ...d.recovery, target: d.recovery.target ?? (withoutWal(d, 'latest') ? ('immediate' as const) : ('latest' as const)) },
  }));
}

let built: { generation: number; schema: ReturnType<typeof buildSourceDrillSchema> } | undefined;

/** The schema of a drill of an existing backup, with every kind of source the registry holds now. */
export function sourceDrillSchema(): ReturnType<typeof buildSourceDrillSchema> {
  if (built?.generation !== registryGeneration()) built = { generation: registryGeneration(), schema: buildSourceDrillSchema(sourceKinds()) };
  return built.schema;
}

export type SourceDrillSpec = z.output<ReturnType<typeof buildSourceDrillSchema>>;
