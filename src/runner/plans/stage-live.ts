// `live`: a simulated loss of the user's primary, without harming it. Markers are written there for `runFor`;
// the loss is declared right after the last one committed (the worst moment for an archive that ships WAL by
// segment), or, with switchWal, after pg_switch_wal() and once the switched segment reached the backup system
// (the planned case). What had reached the backup system at that moment is recorded, and the recovery is then
// limited to exactly that WAL: restore_command refuses any later segment, whatever arrived since.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceDrillSpec } from '../../drill/source-schema.js';
import { EnvironmentError, StepFailedError } from '../../errors.js';
import type { Marker } from '../../model/marker.js';
import type { BackupSource, SourceContext } from '../../tools/source.js';
import { LiveMarkers } from '../workload/live-markers.js';
import type { Timeline } from '../timeline.js';

export interface LiveLoss {
  mode: 'archive-at-loss' | 'switch-wal';
  /** The simulated loss of the primary (runner clock), right after the last marker committed. */
  lossAt: string;
  lossMicros: number;
  /** The newest segment the backup system held at the loss: recovery reads no WAL after it. */
  segmentAtLoss: string | undefined;
  ledger: Marker[];
  failedWrites: number;
  tag: string;
  database: string;
}

export async function simulateLoss(
  live: NonNullable<SourceDrillSpec['source']['live']>,
  source: BackupSource,
  ctx: SourceContext,
  timeline: Timeline,
  tag: string,
  env: NodeJS.ProcessEnv,
): Promise<LiveLoss> {
  const variable = live.conninfo.slice('env:'.length);
  const conninfo = env[variable];
  if (!conninfo) throw new EnvironmentError(`source.live.conninfo: ${variable} is not set`, `export ${variable}=postgresql://<marker role>@<host>/<database>`);
  const markers = new LiveMarkers(conninfo, live.conninfo, tag);
  await markers.connect();
  try {
    const database = await markers.database();
    await timeline.phase('live-markers', () => markers.run(live.runFor, live.heartbeat, ctx.signal));
    if (live.switchWal) {
      await timeline.phase('switch-wal', async () => {
        const segment = await markers.currentSegment();
        await markers.switchWal();
        await untilArchived(source, ctx, segment, live.archiveTimeout);
      });
    }
    // What the backup system holds, read while the application keeps writing (unless the WAL was switched: the
    // planned case), then the loss: nothing committed after it is recovered, nothing archived after the read is used.
    const read = source.newestSegment?.(ctx) ?? Promise.resolve(undefined);
    const segmentAtLoss = live.switchWal ? await read : await markers.runWhile(read, live.heartbeat, ctx.signal);
    const lossAt = new Date();
    timeline.note(`loss of the primary simulated at ${lossAt.toISOString()}: ${markers.ledger.length} markers committed, newest archived segment ${segmentAtLoss ?? 'none'}`);
    return { mode: live.switchWal ? 'switch-wal' : 'archive-at-loss', lossAt: lossAt.toISOString(), lossMicros: lossAt.getTime() * 1000, segmentAtLoss, ledger: markers.ledger, failedWrites: markers.failedWrites, tag, database };
  } finally {
    await markers.close();
  }
}

async function untilArchived(source: BackupSource, ctx: SourceContext, segment: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const newest = await source.newestSegment?.(ctx);
    if (newest && newest.slice(8) >= segment.slice(8)) return;
    if (performance.now() > deadline) {
      throw new StepFailedError(
        `segment ${segment}, switched by pg_switch_wal(), did not reach the backup system within ${timeoutMs / 1000}s (newest there: ${newest ?? 'none'})`,
        { command: 'pg_switch_wal(), then the source\'s newest archived segment', outputTail: '', durationSeconds: timeoutMs / 1000, timedOut: true },
        { suggestion: 'check archiving on the source (pg_stat_archiver, the archive_command, barman cron); raise source.live.archiveTimeout if the archive is known to lag' },
      );
    }
    await sleep(250, undefined, { signal: ctx.signal });
  }
}
