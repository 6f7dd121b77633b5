// A drill that builds its own primary, as a zod schema: the shared parts (schema-parts.ts), the backup method
// and incident from their registries. The loader (loader.ts) turns zod issues into file:line problems, so each
// message here says what is wrong and how to fix it.
import { z } from 'zod';
import type { BackupOptions } from '../tools/backup-method.js';
import { backupMethodNames, backupOptionSchemas, methodFacts, methodsWith } from '../tools/registry.js';
import { incidentSchema } from '../incidents/incident-schema.js';
import { INCIDENT_FACTS } from '../incidents/registry.js';
import { integrityCheck, oneIntegrityEntry, sanity } from './integrity-schema.js';
import { afterRestore, appCheck, duration, notOneOf, objectives, provider, recovery, refuseManagedSettings, settingValue, sqlCheck, tableCheck, timeouts, verifySection } from './schema-parts.js';

/** Incident kinds a check is meant to find (expect: detected). */
function detectable(): string[] {
  return Object.entries(INCIDENT_FACTS).flatMap(([k, f]) => (f.detectedBy ? [k] : []));
}


const postgres = z.strictObject({
  version: z.literal(15, { error: 'only PostgreSQL 15 is supported by this release; write version: 15' }).default(15),
  /** The image the drill runs in with provider docker (default PGDRILL_IMAGE, or pgdrill/pgdrill:<this version>). */
  image: z.string().min(1).optional(),
  settings: z
    .record(z.string(), settingValue)
    .superRefine((settings, ctx) => {
      refuseManagedSettings(settings, ctx);
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

const check = z.union([sqlCheck, tableCheck, integrityCheck, appCheck], {
  error: 'each verify entry is { sql, expect | compare: pre-incident }, { table }, { integrity: quick | full | off }, sequences, extensions, collations, { roles: [...] } or { schema: <file> }',
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

export const drillSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().optional(),
    objectives,
    postgres: postgres.default({ version: 15, settings: {} }),
    provider,
    backup: z
      .strictObject({
        // Checked against the registry when a drill is loaded, so a registered method is a valid name.
        method: z.string().refine((m) => methodFacts(m) !== undefined, { error: (iss) => notOneOf('a backup method', backupMethodNames())(iss) }),
        // backup.repo (pgBackRest on S3), backup.cloud (barman-cloud's destination): each tool brings its own.
        ...Object.fromEntries(Object.entries(backupOptionSchemas()).map(([key, schema]) => [key, schema.optional()])),
      })
      .transform((b) => b as { method: string } & BackupOptions)
      .default({ method: 'pg_basebackup' }),
    workload: workload.default({ fixtures: [], heartbeat: 200, runFor: 0, background: [] }),
    incident: incidentSchema,
    expect: z.enum(['recovered', 'detected'], { error: notOneOf('an expectation', ['recovered', 'detected']) }).default('recovered'),
    recovery: recovery.default({ timeline: 'latest', timeout: 600_000 }),
    verify: verifySection(check, oneIntegrityEntry).default([]),
    afterRestore,
    sanity,
    timeouts,
  })
  .superRefine((drill, ctx) => {
    // Options of a method (backup.repo, backup.cloud) come from its facts: the schema names no method.
    const accepts = methodFacts(drill.backup.method)?.options ?? {};
    for (const key of Object.keys(backupOptionSchemas())) {
      const takers = backupMethodNames().filter((m) => methodFacts(m)?.options?.[key]);
      const given = (drill.backup as unknown as Record<string, unknown>)[key];
      if (given !== undefined && !accepts[key]) {
        ctx.addIssue({ code: 'custom', path: ['backup', key], message: `backup.${key} is not an option of backup method ${drill.backup.method} (it is for ${takers.join(', ')}); remove it` });
      }
      if (given === undefined && accepts[key] === 'required') {
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
    for (const [i, c] of drill.verify.entries()) {
      if ('compare' in c && c.compare === 'source') ctx.addIssue({ code: 'custom', path: ['verify', i, 'compare'], message: 'compare: source belongs to drills of an existing backup with live; this drill has compare: pre-incident' });
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
