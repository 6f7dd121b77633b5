// A dump the user already has: pg_dump custom (-Fc) or directory (-Fd) format, a plain SQL dump, or a
// pg_dumpall file. It is loaded into a fresh instance of pgdrill's own (no point in time: a dump is what it
// holds). Owners and privileges of roles that do not exist in the sandbox are left out (--no-owner
// --no-privileges), as a DBA does for a verification restore; a pg_dumpall file brings its roles along.
import { chownSync, closeSync, createReadStream, createWriteStream, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { makeOwnedDir } from '../../exec/os-user.js';
import path from 'node:path';
import type { RestorePlan } from '../backup-method.js';
import { folderSize } from '../common/folder-size.js';
import { EnvironmentError, StepFailedError } from '../../errors.js';
import type { PostgresInstance } from '../../providers/provider.js';
import type { BackupSource, ChosenBackup, SourceContext } from '../source.js';
import { connection, loadIntoFresh, pgRestore } from './load.js';

type DumpFormat = 'custom' | 'directory' | 'plain' | 'dumpall';

export class DumpSource implements BackupSource {
  readonly kind = 'dump';
  private format: DumpFormat | undefined;
  private database = 'postgres';

  constructor(private readonly file: string) {}

  readOnlyPaths(): string[] {
    return [this.file];
  }

  /** Files on this host only. */
  endpoints(): string[] {
    return [];
  }

  inputPaths(): string[] {
    return [this.file];
  }

  private detect(): DumpFormat {
    if (statSync(this.file).isDirectory()) {
      if (existsSync(path.join(this.file, 'toc.dat'))) return 'directory';
      throw new EnvironmentError(`${this.file} is a folder without toc.dat: not a pg_dump -Fd dump`, 'point source.dump.path at the dump file or the -Fd folder');
    }
    const head = Buffer.alloc(4096);
    const fd = openSync(this.file, 'r');
    const n = readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    const text = head.subarray(0, n).toString('latin1');
    if (text.startsWith('PGDMP')) return 'custom';
    return /PostgreSQL database cluster dump/.test(text) ? 'dumpall' : 'plain';
  }

  async inspect(ctx: SourceContext): Promise<ChosenBackup> {
    const format = this.detect();
    this.format = format;
    let header = '';
    if (format === 'custom' || format === 'directory') {
      // pg_restore prints "Archive created at" in its own process's time zone, with an abbreviation (CEST) that
      // Date cannot read: in UTC it is a time with an offset.
      header = (await ctx.runner.run(ctx.provider.tool('pg_restore'), ['--list', this.file], { label: 'pg_restore-list', asServerUser: true, env: { TZ: 'UTC' } })).stdout;
    } else {
      header = readFileSync(this.file, 'utf8').slice(0, 20_000);
    }
    const version = /Dumped from database version:? (\d+)/.exec(header)?.[1];
    const created = /Archive created at (.+)/.exec(header)?.[1]?.trim();
    this.database = /; +dbname: (\S+)/.exec(header)?.[1] ?? 'postgres';
    const fileTime = statSync(format === 'directory' ? path.join(this.file, 'toc.dat') : this.file).mtime.toISOString();
    const createdAt = created ? Date.parse(created.replace(' UTC', 'Z').replace(' ', 'T')) : NaN;
    const stop = Number.isFinite(createdAt) ? new Date(createdAt).toISOString() : fileTime;
    return {
      label: path.basename(this.file),
      chosenBy: 'the dump named in source.dump.path',
      location: `${this.file} (${format === 'dumpall' ? 'pg_dumpall' : `pg_dump ${format} format`}${format === 'custom' || format === 'directory' ? `, database ${this.database}` : ''})`,
      pgMajor: version ? Number(version) : 15,
      // The dump holds what was committed when pg_dump took its snapshot; its header (or file) time says when.
      stopTime: stop,
      sizeBytes: format === 'directory' ? folderSize(this.file) : statSync(this.file).size,
      available: [path.basename(this.file)],
    };
  }

  /** The database the checks run in: the dump's own (custom and directory formats), else postgres. */
  checkDatabase(): string {
    return this.format === 'custom' || this.format === 'directory' ? this.database : 'postgres';
  }

  async restore(ctx: SourceContext, _backup: ChosenBackup, request: { instanceName: string }): Promise<RestorePlan> {
    const format = this.format ?? this.detect();
    return loadIntoFresh(ctx, request.instanceName, (instance, password) => this.load(ctx, instance, format, password));
  }

  private async load(ctx: SourceContext, instance: PostgresInstance, format: DumpFormat, password: string): Promise<void> {
    if (format === 'custom' || format === 'directory') {
      // Objects go to the default tablespace: the source's tablespace paths do not exist here (and must not).
      await pgRestore(ctx, instance, password, this.file, { create: this.database !== 'postgres', portable: true, label: 'pg_restore' });
      return;
    }
    const sql = await remapTablespaces(this.file, ctx);
    // psql reports each failed statement; a pg_dumpall file recreating the role pgdrill connects as is expected.
    const r = await ctx.runner.run(ctx.provider.tool('psql'), [...connection(instance), '-X', '-q', '-d', 'postgres', '-f', sql], { label: 'psql-load-dump', env: { PGPASSWORD: password }, asServerUser: true });
    const errors = r.stderr.split('\n').filter((l) => /ERROR:/.test(l) && !/role "postgres" already exists/.test(l));
    if (errors.length > 0) {
      throw new StepFailedError(`loading the dump failed: ${errors.length} statement(s) failed, first: ${errors[0]}`, { command: 'psql -f', outputTail: errors.slice(0, 10).join('\n'), durationSeconds: r.seconds, logFile: r.logFile });
    }
  }

  async version(ctx: SourceContext): Promise<string> {
    return (await ctx.runner.run(ctx.provider.tool('pg_restore'), ['--version'], { label: 'pg_restore-version' })).stdout.trim();
  }
}

/**
 * A pg_dumpall file creates its tablespaces at the source host's absolute paths: loading it as it is would
 * write there. A copy in the work folder points each CREATE TABLESPACE into the work folder instead.
 */
async function remapTablespaces(file: string, ctx: SourceContext): Promise<string> {
  const copy = path.join(ctx.workDir, 'dump-load.sql');
  const root = path.join(ctx.workDir, 'tablespaces');
  makeOwnedDir(root, ctx.serverUser);
  const out = createWriteStream(copy);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    const m = /^(CREATE TABLESPACE (\S+) .*LOCATION ')((?:[^']|'')*)(';.*)$/.exec(line);
    if (m) {
      const dir = path.join(root, m[2]?.replace(/[^A-Za-z0-9_]/g, '_') ?? 'tablespace');
      makeOwnedDir(dir, ctx.serverUser);
      out.write(`${m[1]}${dir}${m[4]}\n`);
    } else {
      out.write(`${line}\n`);
    }
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  if (ctx.serverUser) chownSync(copy, ctx.serverUser.uid, ctx.serverUser.gid);
  return copy;
}
