// The drill file of a backup the user already has (`source:`): which backup, where the sandbox runs, the target,
// the checks. It shares the fragments of schema.ts; the self-contained sections (workload, incident, backup,
// expect) do not fit here and are refused with the reason.
import { z } from 'zod';
import { integrityCheck, oneIntegrityEntry, sanity } from './integrity-schema.js';
import { duration, objectives, provider, recovery, refuseManagedSettings, settingValue, sqlCheck, tableCheck, timeouts } from './schema-parts.js';

/** Which backup of a repository: the newest, the oldest, one chosen at random (seeded), or a label / id. */
const selection = z.string().min(1).default('latest').describe('latest | oldest | random | a backup label or id');

const pgbackrest = z.strictObject({
  stanza: z.string().min(1),
  /** The user's pgbackrest.conf (repository, cipher pass, S3 keys: pgBackRest reads them; pgdrill never does). */
  config: z.string().min(1),
  repo: z.number().int().min(1).max(256).optional(),
  set: selection,
});

const barman = z.strictObject({
  /** The Barman server's name, as in its [section]. */
  server: z.string().min(1),
  /** The user's barman.conf (servers may live in its configuration_files_directory). */
  config: z.string().min(1).default('/etc/barman.conf'),
  backup: selection,
});

const barmanCloud = z.strictObject({
  /** Where barman-cloud-backup and barman-cloud-wal-archive write: s3://bucket/prefix (or azure://, gs://). */
  destination: z.string().regex(/^(s3|azure|gs):\/\/[^/]+/, { error: 'a destination URL as given to barman-cloud-backup, e.g. s3://my-bucket/barman' }),
  /** The server name given to barman-cloud-backup. */
  server: z.string().min(1),
  /** An S3-compatible endpoint (MinIO, Ceph...): --endpoint-url. */
  endpoint: z.url({ error: 'an URL, e.g. https://minio.internal:9000' }).optional(),
  cloudProvider: z.enum(['aws-s3', 'azure-blob-storage', 'google-cloud-storage']).default('aws-s3'),
  /** An AWS profile of the credentials files (else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment). */
  profile: z.string().min(1).optional(),
  backup: selection,
});

const basebackup = z.strictObject({
  /** A folder written by pg_basebackup: plain format, or -Ft with or without -z (base.tar[.gz], pg_wal.tar[.gz]). */
  path: z.string().min(1),
  /** The WAL archive folder (segments plain or .gz); without it only the backup itself can be restored. */
  walArchive: z.string().min(1).optional(),
});

const dump = z.strictObject({
  /** pg_dump -Fc or -Fd, a plain SQL dump, or a pg_dumpall file. */
  path: z.string().min(1),
});

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

export const SOURCE_KINDS = ['pgbackrest', 'barman', 'barmanCloud', 'basebackup', 'dump'] as const;

const source = z
  .strictObject({ pgbackrest: pgbackrest.optional(), barman: barman.optional(), barmanCloud: barmanCloud.optional(), basebackup: basebackup.optional(), dump: dump.optional(), seed: z.number().int().optional(), live: live.optional() })
  .superRefine((s, ctx) => {
    const given = SOURCE_KINDS.filter((k) => s[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: given.length === 0 ? `names no backup; give one of: ${SOURCE_KINDS.join(', ')}` : `names ${given.join(' and ')}; a drill restores one source, give exactly one of: ${SOURCE_KINDS.join(', ')}`,
      });
    }
  });

const notHere = (key: string) =>
  z.never({
    error: `${key} belongs to drills that build their own primary; a drill of an existing backup (source:) restores that backup: remove ${key}, or remove source`,
  });

const SANDBOX_DEFAULT = { settings: {}, user: 'postgres' };

export const sourceDrillSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().optional(),
    objectives,
    source,
    provider,
    recovery: recovery.default({ timeline: 'latest', timeout: 600_000 }),
    verify: z
      .array(z.union([sqlCheck, tableCheck, integrityCheck], { error: 'each verify entry is { sql, expect }, { table } or { integrity: quick | full | off }' }))
      .superRefine(oneIntegrityEntry)
      .default([]),
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
    if (d.source.dump && d.recovery.target !== undefined && d.recovery.target !== 'immediate') {
      ctx.addIssue({ code: 'custom', path: ['recovery', 'target'], message: `a dump holds no WAL, so it cannot recover to a point in time (${d.recovery.target}); remove recovery.target (the dump itself is restored)` });
    }
    if (d.source.dump === undefined && d.source.basebackup && !d.source.basebackup.walArchive && d.recovery.target !== undefined && d.recovery.target !== 'immediate') {
      ctx.addIssue({ code: 'custom', path: ['recovery', 'target'], message: `without source.basebackup.walArchive only the backup itself can be restored (${d.recovery.target}); add walArchive or write target immediate` });
    }
    const live = d.source.live;
    if (live) {
      if (d.source.dump || (d.source.basebackup && !d.source.basebackup.walArchive)) {
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
    recovery: { ...d.recovery, target: d.recovery.target ?? (d.source.dump || (d.source.basebackup && !d.source.basebackup.walArchive) ? ('immediate' as const) : ('latest' as const)) },
  }));

export type SourceDrillSpec = z.output<typeof sourceDrillSchema>;
