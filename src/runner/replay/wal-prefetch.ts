// Archived WAL placed ahead of replay. PostgreSQL asks its restore_command for one segment at a time and replays
// nothing while the command copies it (about 50 ms per 16 MB segment here: at pgbench scale 100, a third of the
// replay), and then fsyncs what it got. When the WAL comes from a folder on this host (a WAL archive, plain or
// gzipped segments), pgdrill copies the next segments into the restored server's own pg_wal while it replays, on
// another core, and leaves a marker of the same name in a staging folder; for a marked segment the restore_command
// answers "not in the archive" at once (a shell built-in test, no process) and PostgreSQL reads the segment from
// pg_wal, as it reads any WAL it finds there: the same bytes, no copy on the critical path and no fsync. That is
// the way the physical limit replays (the WAL already in pg_wal). Anything not placed goes
// to the archive's own command, timed.
// It starts before the server asks for anything, from the backup's first segment (backup_label), and then follows
// the server: once it has asked for segment N of a timeline (the restore_command's log says so), the segments
// after N on that timeline are placed, `window` at most, two copies at a time, never past `last` (a live source's
// newest segment at the loss: the sandbox replays no further). Markers behind the server are removed (PostgreSQL
// may recycle those files); the one it asked for last stays, for the end of recovery, when it asks for it again.
// Placed segments are the server's files: pgdrill never removes anything from pg_wal. The archive is only read.
import { constants, createReadStream, createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { chown, copyFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import type { RestorePlan } from '../../tools/backup-method.js';
import { LogFollower } from '../../exec/log-follower.js';
import { makeOwnedDir, type OsUser } from '../../exec/os-user.js';

const SEGMENT = /^[0-9A-F]{24}$/;
const ARCHIVED = /^([0-9A-F]{24})(\.gz)?$/;
const POLL_MS = 10;
/**
 * Copies at once: one copy waits on reading the archive and on writing, so two keep a disk busier, but only where a
 * core is left after the server's startup process (single-threaded redo) and pgdrill: on 2 cores one copy replayed
 * scale 100's 42 segments faster than two (2.63 s against 2.75 s, medians of 4 alternated runs).
 */
const PARALLEL = Math.max(1, Math.min(2, os.availableParallelism() - 1));

export interface PrefetchOptions {
  /** Segments placed ahead of the server at most. */
  window?: number;
  /** The newest segment the server may replay (a live source's at the loss); none after it is placed. */
  last?: string | undefined;
  /** The backup's first segment (its backup_label): placed from the start, before the server asks for it. */
  first?: string | undefined;
  /** The cluster's WAL segment size: only a file of exactly that size is placed (default 16 MB). */
  segmentBytes?: number | undefined;
}

export class WalPrefetch {
  private stopped = false;
  private loop: Promise<void> | undefined;
  /** Placed in pg_wal and marked, by segment name: ahead of the server, or the one it asked for last. */
  private readonly marked = new Set<string>();
  private placed = 0;
  private listing: Map<string, string> | undefined;
  /** The newest segment the server asked for, from the restore_command's log. */
  private taken: string | undefined;
  private readonly log: LogFollower;
  private readonly window: number;
  private readonly last: string | undefined;
  private readonly first: string | undefined;
  private readonly segmentBytes: number;

  constructor(
    private readonly archive: string,
    /** The marker folder the restore_command looks in first (wal-fetch.ts, withPlaced). */
    readonly stage: string,
    private readonly pgWal: string,
    fetchLog: string,
    private readonly owner: OsUser | undefined,
    options: PrefetchOptions = {},
  ) {
    this.log = new LogFollower(fetchLog);
    this.window = options.window ?? 8;
    this.last = options.last;
    this.first = options.first;
    this.segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
  }

  start(): void {
    makeOwnedDir(this.stage, this.owner);
    this.loop = this.run();
  }

  /** Stops placing segments and removes the markers; returns how many segments were placed. */
  async stop(): Promise<number> {
    this.stopped = true;
    await this.loop;
    await rm(this.stage, { recursive: true, force: true });
    return this.placed;
  }

  /** The newest segment the server asked for: only the lines its log gained since the last call are read. */
  private newestTaken(): string | undefined {
    this.taken = newestSegmentIn(this.log.newLines()) ?? this.taken;
    return this.taken;
  }

  private async run(): Promise<void> {
    // Before the server asks for anything (it first fsyncs the restored folder), from the backup's first segment.
    if (this.first) await this.fill(this.first, true).catch(() => undefined);
    let last: string | undefined;
    while (!this.stopped) {
      const newest = this.newestTaken();
      if (newest && newest !== last) {
        last = newest;
        try {
          await this.fill(newest, false);
        } catch {
          // Placing is only a shortcut: whatever it could not place, the archive's own command fetches.
        }
      }
      await sleep(POLL_MS);
    }
  }

  /** Places the segments after `from` (from `from` on when `inclusive`), until the server asks for a newer one. */
  private async fill(from: string, inclusive: boolean): Promise<void> {
    const taken = this.taken;
    const timeline = from.slice(0, 8);
    // Behind the server or on another timeline: never asked for again, and PostgreSQL may recycle the file.
    for (const name of [...this.marked]) {
      if (name.slice(0, 8) !== timeline || name < from) {
        this.marked.delete(name);
        await unlink(path.join(this.stage, name)).catch(() => undefined);
      }
    }
    let next = this.after(from, inclusive, false);
    if (next.length < this.window) next = this.after(from, inclusive, true); // the archive may have grown
    const ahead = [...this.marked].filter((n) => n > from).length;
    const todo = next.filter((name) => !this.marked.has(name)).slice(0, this.window - ahead);
    const worker = async () => {
      for (let name = todo.shift(); name; name = todo.shift()) {
        if (this.stopped || this.newestTaken() !== taken) return;
        await this.place(name, this.listing?.get(name) as string);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  }

  /** The archive's segments after `from` on its timeline, in order (names of one timeline sort by position). */
  private after(from: string, inclusive: boolean, relist: boolean): string[] {
    if (relist || !this.listing) {
      this.listing = new Map();
      for (const file of readdirSync(this.archive)) {
        const m = ARCHIVED.exec(file);
        if (m && !(m[2] && this.listing.has(m[1] as string))) this.listing.set(m[1] as string, file);
      }
    }
    const timeline = from.slice(0, 8);
    return [...this.listing.keys()]
      .filter((n) => n.startsWith(timeline) && (n > from || (inclusive && n === from)) && (this.last === undefined || n <= this.last))
      .sort()
      .slice(0, this.window);
  }

  /**
   * Copies a segment into pg_wal under a name PostgreSQL ignores, renames it into place, then marks it. Only a whole
   * segment: PostgreSQL checks the size of a file its restore_command gives it ("archive file has wrong size" is
   * FATAL) but not of one it finds in pg_wal, so a short file (left by a crashed archive_command, or still being
   * written) is left to the archive's own command, where it fails loudly instead of ending replay early.
   */
  private async place(name: string, file: string): Promise<void> {
    const source = path.join(this.archive, file);
    const part = path.join(this.pgWal, `.pgdrill-${name}.part`);
    try {
      if (!file.endsWith('.gz') && (await stat(source)).size !== this.segmentBytes) return;
      if (file.endsWith('.gz')) await pipeline(createReadStream(source), createGunzip(), createWriteStream(part));
      else await copyFile(source, part, constants.COPYFILE_FICLONE); // a reflink where the file system has them (XFS, Btrfs): no bytes copied, and still a file of its own
      if ((await stat(part)).size !== this.segmentBytes) {
        await rm(part, { force: true });
        return;
      }
      if (this.owner) await chown(part, this.owner.uid, this.owner.gid);
      await rename(part, path.join(this.pgWal, name));
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
    await writeFile(path.join(this.stage, name), '');
    this.marked.add(name);
    this.placed++;
  }
}

/** Of the log's lines, the last segment (not a history file) delivered or placed (logged with exit 0). */
function newestSegmentIn(lines: string[]): string | undefined {
  let last: string | undefined;
  for (const line of lines) {
    const [file, code] = line.split(' ');
    if (code === '0' && file && SEGMENT.test(file)) last = file;
  }
  return last;
}

/**
 * Placing ahead for a plan whose WAL comes from a folder on this host; the restore_command honours the markers
 * when built with the marker folder (wal-fetch.ts, fetchCommand). `last`: a live source's newest segment at the
 * loss; `segmentBytes`: the cluster's segment size. Start it when the server starts; stop it when replay is over.
 */
export function prefetchFor(plan: RestorePlan, workDir: string, fetchLog: string, owner: OsUser | undefined, o: { last?: string | undefined; segmentBytes: number }): WalPrefetch | undefined {
  if (plan.kind !== 'physical' || !plan.archiveFolder || !plan.settings['restore_command']) return undefined;
  const first = firstSegment(plan.dataDir);
  const { last } = o;
  return new WalPrefetch(plan.archiveFolder, path.join(workDir, 'wal-staged'), path.join(plan.dataDir, 'pg_wal'), fetchLog, owner, { last, segmentBytes: o.segmentBytes, first: last === undefined || (first && first <= last) ? first : undefined });
}

/** The segment replay starts from, from the restored folder's backup_label; undefined without one. */
export function firstSegment(dataDir: string): string | undefined {
  const label = path.join(dataDir, 'backup_label');
  const m = existsSync(label) ? /^START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)$/m.exec(readFileSync(label, 'utf8')) : null;
  return m?.[1];
}

/** Runs the replay (the server's start to promotion) with staging on, and stops staging however it ends. */
export async function replayWith<T>(prefetch: WalPrefetch | undefined, replay: () => Promise<T>): Promise<T> {
  prefetch?.start();
  try {
    return await replay();
  } finally {
    await prefetch?.stop();
  }
}
