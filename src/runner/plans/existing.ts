// The prologue of a drill of a backup the user already has: read its metadata and choose it, check the backup
// pipeline, pick server binaries of its major version, with `live` write markers on the source and simulate the
// loss, then declare the disaster (the RTO starts with the restore). It yields what the one recovery (recover.ts)
// restores: the user's backup, read-only, into a sandbox of the work folder, with its configuration overridden.
import type { SourceDrill } from '../../drill/drill.js';
import { generatePassword, LocalProvider } from '../../providers/local/local-provider.js';
import { SERVER_TOOLS } from '../../providers/local/pg-binaries.js';
import type { RecoveryTarget } from '../../pg/recovery-target.js';
import { describeTarget } from '../../pg/recovery-target.js';
import { postgresTimestamp } from '../../pg/timestamps.js';
import { sourceKinds } from '../../tools/registry.js';
import type { BackupSource } from '../../tools/source.js';
import type { ExistingSeen, DrillOutcome } from '../outcome.js';
import type { Recoverable } from '../recover.js';
import type { DrillSession } from '../session/drill-session.js';
import { diskPreflight } from '../session/disk-preflight.js';
import type { Timeline } from '../timeline.js';
import { recoveredMarkers } from '../workload/live-markers.js';
import { checkPipeline } from './check-pipeline.js';
import { simulateLoss } from './stage-live.js';

/** Runs the prologue, recording what it saw; returns what the recovery needs and the provider chosen for it. */
export async function existingPrologue(
  drill: SourceDrill,
  source: BackupSource,
  s: { session: DrillSession; timeline: Timeline; runId: string; startedAt: Date },
  o: DrillOutcome,
): Promise<{ recoverable: Recoverable; provider: LocalProvider }> {
  const seen = o.prologue as ExistingSeen;
  const { ctx } = s.session;
  // The tool's version does not depend on the backup: asked while it is inspected (awaited below, where a failure counts).
  const versionAsked = source.version(ctx);
  versionAsked.catch(() => undefined);
  const backup = await s.timeline.phase('inspect-backup', () => source.inspect(ctx));
  // The pipeline's health first (pgdrill check): shown in the report, a problem is a warning, not the verdict,
  // except the one objective the drill file states (maxBackupAge).
  seen.pipeline = await s.timeline.phase('check-pipeline', () => checkPipeline(drill, source, ctx, backup, process.env));
  const age = drill.objectives.maxBackupAge !== undefined ? seen.pipeline.find((f) => f.check === 'newest backup age') : undefined;
  if (age) o.checks.push({ name: 'newest backup age (objectives.maxBackupAge)', status: age.status === 'failed' ? 'failed' : 'passed', detail: `${age.detail}${age.fix ? `; ${age.fix}` : ''}` });
  for (const f of seen.pipeline.filter((x) => x.status !== 'passed' && x !== age)) o.warnings.push(`pipeline check ${f.check} ${f.status}: ${f.detail}${f.fix ? `; ${f.fix}` : ''}`);
  // A hole in the archive is what a recovery that stops short will be failed for: it leads the diagnosis then.
  const hole = seen.pipeline.find((f) => f.check === 'WAL archive continuous' && f.status === 'failed');
  if (hole) o.findings.push(hole.detail);
  const toolVersion = await versionAsked;
  seen.source = { kind: source.kind, backup, toolVersion };
  s.timeline.note(`backup ${backup.label} (PostgreSQL ${backup.pgMajor}), chosen: ${backup.chosenBy}`);
  const target = sourceTarget(drill);
  // Where the archive ends: a busy source keeps archiving while the drill restores, and WAL archived after the
  // declaration must not count (it would make the data look fresher). The inspection's own answer when it read one
  // (pgBackRest's info), else asked now, while the binaries are looked for; either way the declaration's clock is
  // read after the answer, so the loss is never placed before WAL the recovery may replay (what was archived in
  // between counts as lost). With live, the loss simulated below decides it instead.
  const newestAsked = !drill.source.live && target.kind === 'latest' ? (backup.archiveEnd ? Promise.resolve(backup.archiveEnd.newest) : source.newestSegment?.(ctx)) : undefined;
  newestAsked?.catch(() => undefined);
  // The provider is chosen once the backup's major version is known.
  const provider = new LocalProvider(`local: PostgreSQL ${backup.pgMajor} server binaries for a backup of PostgreSQL ${backup.pgMajor}`, process.env, backup.pgMajor, SERVER_TOOLS);
  ctx.provider = provider;
  o.environment.info = await provider.describe(); // binaries of that major missing: exit 3 before anything starts
  o.environment.toolVersions[source.kind] = toolVersion;

  diskPreflight(backup, ctx.workDir); // too little room: exit 3 before anything is written
  o.recovery.target = target;
  // With live: markers on the source, then the simulated loss; the recovery gets only the WAL archived by then.
  const live = drill.source.live ? await simulateLoss(drill.source.live, source, ctx, s.timeline, `${s.runId}/${drill.name}`, process.env) : undefined;
  if (live) seen.live = live;
  const newestSegment = live ? live.segmentAtLoss : await newestAsked;
  const declaredAt = new Date();
  s.timeline.startRto(); // the disaster is declared: from here on the restore is the recovery
  const kind = sourceKinds().find((k) => (drill.source as Record<string, unknown>)[k.key] !== undefined);
  const holdsWal = !kind?.withoutWal?.((drill.source as Record<string, unknown>)[kind.key], target.kind);
  // A recovery to a point the drill chose (time, xid, LSN, name, or the backup while WAL follows it) leaves out what
  // came after on purpose: there is no data loss to judge, only whether it stopped at that point.
  const rpoNotApplicable = target.kind !== 'latest' && holdsWal ? `recovery to a chosen past point (${describeTarget(target)}) leaves out what came after it on purpose; the RPO objective is judged for target latest` : undefined;
  // One sample of an archive cycle longer than the objective cannot show the objective met.
  const cycle = live && live.mode === 'archive-at-loss' ? seen.pipeline.find((f) => f.check === 'archive_timeout vs RPO' && f.status === 'failed') : undefined;
  if (cycle) seen.rpoNotProven = `${cycle.detail}; a loss at another moment of the cycle costs more than this one did`;
  const protectedTables = drill.verify.flatMap((c) => ('table' in c ? [c.database && c.database !== 'postgres' ? `${c.database}: ${c.table}` : c.table] : []));
  const recoverable: Recoverable = {
    instanceName: 'sandbox',
    restore: (request) => source.restore(ctx, backup, request),
    target,
    startLsn: backup.startLsn,
    restoredBytes: backup.restoredBytes,
    walEnd: newestSegment ? { segment: newestSegment } : undefined,
    // No WAL archived after the declaration is replayed (live: after the simulated loss).
    ...(live || target.kind === 'latest' ? { walLimit: { newest: newestSegment } } : {}),
    ...(rpoNotApplicable ? { rpoNotApplicable } : {}),
    foreign: { libDir: provider.libDir(), extra: drill.sandbox.settings, socketRole: drill.sandbox.user },
    checkDatabase: () => source.checkDatabase?.(),
    // A dump is loaded into a fresh instance of pgdrill's own; a physical sandbox is reached over its socket.
    password: generatePassword(),
    evidence: {
      backupEndTime: backup.stopTime,
      ...(live
        ? {
            sourceAnswer: (sql: string, database: string | undefined) => liveAnswer(process.env[drill.source.live?.conninfo.slice('env:'.length) ?? ''] ?? '', sql, database),
            markers: {
              ledger: live.ledger,
              lossMicros: live.lossMicros,
              // Every marker was acknowledged by the source before the loss was declared, by construction: the
              // source's clock (which wrote their times) is never compared with pgdrill's.
              order: () => true,
              recovered: async (restored) => {
                const db = await restored.connect(live.database);
                try {
                  return await recoveredMarkers(async (sql, params) => (await db.query(sql, params)).rows, live.tag);
                } finally {
                  await db.end().catch(() => undefined);
                }
              },
            },
          }
        : target.kind === 'latest' || !holdsWal
          ? { lossAt: declaredAt }
          : {}),
    },
    protectedTables,
  };
  return { recoverable, provider };
}

/**
 * The live source's answer to a verify query (`compare: source`), read-only (default_transaction_read_only), in
 * the check's database or the connection string's own.
 */
async function liveAnswer(conninfo: string, sql: string, database: string | undefined): Promise<string | null> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: conninfo, ...(database ? { database } : {}), application_name: 'pgdrill compare: source', connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('set default_transaction_read_only = on');
    const r = await client.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
    const first = (r.rows[0] as unknown[] | undefined)?.[0];
    return first === undefined || first === null ? null : String(first);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The drill's recovery section as a concrete target (the schema made sure each target has its value). */
function sourceTarget(drill: SourceDrill): RecoveryTarget {
  const r = drill.recovery;
  switch (r.target) {
    case 'time':
      return { kind: 'time', time: postgresTimestamp(r.at ?? ''), inclusive: r.inclusive ?? false };
    case 'xid':
      return { kind: 'xid', xid: r.xid ?? '', inclusive: r.inclusive ?? false };
    case 'lsn':
      return { kind: 'lsn', lsn: r.lsn ?? '', inclusive: r.inclusive ?? false };
    case 'name':
      return { kind: 'name', name: r.name ?? '' };
    case 'immediate':
      return { kind: 'immediate' };
    default:
      return { kind: 'latest' };
  }
}
