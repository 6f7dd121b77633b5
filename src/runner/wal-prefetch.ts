// Archived WAL staged ahead of replay. PostgreSQL asks its restore_command for one segment at a time and replays
// nothing while the command copies it (about 50 ms per 16 MB segment here: at pgbench scale 100, a third of the
// replay). When the WAL comes from a folder on this host (a WAL archive, plain or gzipped segments), pgdrill copies
// the next segments into a staging folder beside the data folder while the server replays, on another core, and
// the restore_command first renames the staged file into place (no copy, no timing: logged as staged), falling
// back to the archive's own command, timed, for anything not staged. It follows the server: once the server has taken segment N of a timeline (the
// restore_command's timing log says so), the segments after N on that timeline are staged, `window` at most; staged
// files the server went past are removed. The archive is only read; the staging folder is in the work folder.
import { closeSync, createReadStream, createWriteStream, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { chown, copyFile, open, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import type { RestorePlan } from '../backup/backup-method.js';
import { makeOwnedDir, type OsUser } from '../exec/os-user.js';

const SEGMENT = /^[0-9A-F]{24}$/;
const ARCHIVED = /^([0-9A-F]{24})(\.gz)?$/;
const POLL_MS = 10;

export interface PrefetchStats {
  /** Segments copied into the staging folder. */
  staged: number;
  /** Staged segments the server took (renamed into pg_wal instead of copying them). */
  served: number;
}

export class WalPrefetch {
  private stopped = false;
  private loop: Promise<void> | undefined;
  /** Staged and not yet taken, by segment name. */
  private readonly pending = new Set<string>();
  private readonly stats: PrefetchStats = { staged: 0, served: 0 };
  private listing: Map<string, string> | undefined;
  /** The newest segment the server took, and how far the timing log has been read for it. */
  private taken: string | undefined;
  private logRead = 0;
  private stoppedWith: PrefetchStats | undefined;

  constructor(
    private readonly archive: string,
    /** The staging folder the restore_command looks in first (wal-fetch.ts, stagedFirst). */
    readonly stage: string,
    private readonly fetchLog: string,
    private readonly owner: OsUser | undefined,
    private readonly window = 8,
  ) {}

  start(): void {
    makeOwnedDir(this.stage, this.owner);
    this.loop = this.run();
  }

  /** Stops staging, removes what the server did not take, and says how much it saved. */
  async stop(): Promise<PrefetchStats> {
    this.stopped = true;
    await this.loop;
    this.countTaken();
    await rm(this.stage, { recursive: true, force: true });
    this.stoppedWith = { ...this.stats };
    return this.stoppedWith;
  }

  /** What stop() said; undefined while staging runs. */
  get result(): PrefetchStats | undefined {
    return this.stoppedWith;
  }

  /** The newest segment the server took: only the lines the timing log gained since the last call are read. */
  private newestTaken(): string | undefined {
    let fd: number;
    try {
      fd = openSync(this.fetchLog, 'r');
    } catch {
      return this.taken; // no line yet
    }
    try {
      const size = fstatSync(fd).size;
      if (size > this.logRead) {
        const buffer = Buffer.alloc(size - this.logRead);
        readSync(fd, buffer, 0, buffer.length, this.logRead);
        const text = buffer.toString('utf8');
        const complete = text.lastIndexOf('\n') + 1; // a line is appended in one write; never read half of one
        this.logRead += Buffer.byteLength(text.slice(0, complete));
        this.taken = newestSegmentIn(text.slice(0, complete)) ?? this.taken;
      }
    } finally {
      closeSync(fd);
    }
    return this.taken;
  }

  private async run(): Promise<void> {
    let last: string | undefined;
    while (!this.stopped) {
      const newest = this.newestTaken();
      if (newest && newest !== last) {
        last = newest;
        try {
          await this.fill(newest);
        } catch {
          // Staging is only a shortcut: whatever it could not stage, the archive's own command fetches.
        }
      }
      await sleep(POLL_MS);
    }
  }

  private countTaken(): void {
    for (const name of [...this.pending]) {
      if (!existsSync(path.join(this.stage, name))) {
        this.pending.delete(name);
        this.stats.served++;
      }
    }
  }

  private async fill(taken: string): Promise<void> {
    this.countTaken();
    const timeline = taken.slice(0, 8);
    // Behind the server or on another timeline: never asked for again.
    for (const name of [...this.pending]) {
      if (name.slice(0, 8) !== timeline || name <= taken) {
        this.pending.delete(name);
        await unlink(path.join(this.stage, name)).catch(() => undefined);
      }
    }
    let next = this.after(taken, timeline, false);
    if (next.length < this.window) next = this.after(taken, timeline, true); // the archive may have grown
    for (const name of next) {
      if (this.stopped || this.pending.size >= this.window || this.newestTaken() !== taken) return;
      if (this.pending.has(name)) continue;
      await this.copy(name, this.listing?.get(name) as string);
    }
  }

  /** The archive's segments after `taken` on its timeline, in order (names of one timeline sort by position). */
  private after(taken: string, timeline: string, relist: boolean): string[] {
    if (relist || !this.listing) {
      this.listing = new Map();
      for (const file of readdirSync(this.archive)) {
        const m = ARCHIVED.exec(file);
        if (m && !(m[2] && this.listing.has(m[1] as string))) this.listing.set(m[1] as string, file);
      }
    }
    return [...this.listing.keys()]
      .filter((n) => n.startsWith(timeline) && n > taken)
      .sort()
      .slice(0, this.window);
  }

  private async copy(name: string, file: string): Promise<void> {
    const source = path.join(this.archive, file);
    const part = path.join(this.stage, `${name}.part`);
    if (file.endsWith('.gz')) await pipeline(createReadStream(source), createGunzip(), createWriteStream(part));
    else await copyFile(source, part);
    // The server fsyncs each segment it takes (it keeps restored segments in pg_wal, durably renamed): written
    // out here, ahead of time, that fsync finds nothing left to write.
    const handle = await open(part, 'r+');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
    if (this.owner) await chown(part, this.owner.uid, this.owner.gid);
    await rename(part, path.join(this.stage, name));
    this.pending.add(name);
    this.stats.staged++;
  }
}

/** The newest segment the restore_command delivered, from its timing log (`<file> <exit code> <start> <end>`). */
export function lastFetchedSegment(fetchLog: string): string | undefined {
  return existsSync(fetchLog) ? newestSegmentIn(readFileSync(fetchLog, 'utf8')) : undefined;
}

/** Of timing-log lines, the last segment (not a history file) delivered with exit 0. */
function newestSegmentIn(lines: string): string | undefined {
  let last: string | undefined;
  for (const line of lines.split('\n')) {
    const [file, code] = line.split(' ');
    if (code === '0' && file && SEGMENT.test(file)) last = file;
  }
  return last;
}

/**
 * Staging for a plan whose WAL comes from a folder on this host; the restore_command takes staged segments first
 * when built with the staging folder (wal-fetch.ts, fetchCommand). Start it when the server starts; stop it when
 * replay is over (also on failure).
 */
export function prefetchFor(plan: RestorePlan, workDir: string, fetchLog: string, owner: OsUser | undefined): WalPrefetch | undefined {
  if (plan.kind !== 'physical' || !plan.archiveFolder || !plan.settings['restore_command']) return undefined;
  return new WalPrefetch(plan.archiveFolder, path.join(workDir, 'wal-staged'), fetchLog, owner);
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
