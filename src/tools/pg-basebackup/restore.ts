// A base backup folder restored into the work folder, for the pg_basebackup methods and for a folder the user has:
// plain format (cp -a) or -Ft with or without -z (extracted), tablespaces copied into the work folder and
// relinked there, a pg_wal linked elsewhere (--waldir) replaced by a copy, and, with a WAL archive, archive
// recovery whose restore_command copies (or gunzips) segments out of it. Nothing is ever written to the backup
// or the archive.
import { existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { makeOwnedDir, touchOwnedFile } from '../../exec/os-user.js';
import { targetSettings } from '../../pg/recovery-target.js';
import type { PhysicalRestorePlan, RestoreRequest } from '../backup-method.js';
import type { SourceContext } from '../source.js';

export type BackupFormat = 'plain' | 'tar' | 'tar.gz';

/** How pg_basebackup wrote the folder; EnvironmentError when it is not a base backup. */
export function backupFormat(folder: string): BackupFormat {
  if (existsSync(path.join(folder, 'base.tar.gz'))) return 'tar.gz';
  if (existsSync(path.join(folder, 'base.tar'))) return 'tar';
  if (existsSync(path.join(folder, 'PG_VERSION'))) return 'plain';
  throw new EnvironmentError(
    `${folder} is not a pg_basebackup folder: no PG_VERSION (plain format) and no base.tar or base.tar.gz (-Ft)`,
    'point source.basebackup.path at the folder pg_basebackup -D wrote',
  );
}

/** Restores the folder into `<work>/<instance>/data`; without `archive`, crash recovery to the backup's end. */
export async function restoreBaseBackup(ctx: SourceContext, request: RestoreRequest, b: { folder: string; archive?: string | undefined }): Promise<PhysicalRestorePlan> {
  const instanceDir = path.join(ctx.workDir, request.instanceName);
  const dataDir = path.join(instanceDir, 'data');
  const tablespaces = path.join(ctx.workDir, 'tablespaces');
  makeOwnedDir(instanceDir, ctx.serverUser);
  makeOwnedDir(tablespaces, ctx.serverUser);
  const format = backupFormat(b.folder);
  const run = (label: string, file: string, args: string[]) => ctx.runner.run(file, args, { label, asServerUser: true });
  if (format === 'plain') {
    await run('copy-backup', 'cp', ['-a', b.folder, dataDir]);
    // pg_basebackup --waldir leaves pg_wal a link to the backup host's WAL folder: the sandbox gets its own copy,
    // or the server (and WAL placed ahead of replay) would write there.
    const wal = path.join(dataDir, 'pg_wal');
    if (lstatSync(wal).isSymbolicLink()) {
      const target = path.resolve(b.folder, readlinkSync(wal));
      await run('unlink-waldir', 'rm', [wal]);
      await run('copy-waldir', 'cp', ['-a', `${target}/.`, wal]);
    }
    // Tablespaces of a plain backup live where their links point (absolute paths of the source host): copy
    // each into the work folder and point the copy's link there, so nothing outside it is ever written.
    const tblspc = path.join(dataDir, 'pg_tblspc');
    for (const oid of existsSync(tblspc) ? readdirSync(tblspc) : []) {
      const target = path.join(tablespaces, oid);
      await run(`copy-tablespace-${oid}`, 'cp', ['-a', `${path.join(b.folder, 'pg_tblspc', oid)}/.`, target]);
      await run(`relink-tablespace-${oid}`, 'ln', ['-sfn', target, path.join(tblspc, oid)]);
    }
  } else {
    const gz = format === 'tar.gz';
    const ext = gz ? '.tar.gz' : '.tar';
    makeOwnedDir(dataDir, ctx.serverUser);
    await run('extract-base', 'tar', [gz ? '-xzf' : '-xf', path.join(b.folder, `base${ext}`), '-C', dataDir]);
    if (existsSync(path.join(b.folder, `pg_wal${ext}`))) await run('extract-wal', 'tar', [gz ? '-xzf' : '-xf', path.join(b.folder, `pg_wal${ext}`), '-C', path.join(dataDir, 'pg_wal')]);
    // -Ft writes each tablespace as <oid>.tar[.gz] and lists the original paths in tablespace_map; recovery
    // creates the links from that file, so it is rewritten to the work folder's copies.
    const oids = readdirSync(b.folder).filter((f) => new RegExp(`^\\d+${ext.replace(/\./g, '\\.')}$`).test(f)).map((f) => f.slice(0, -ext.length));
    for (const oid of oids) {
      makeOwnedDir(path.join(tablespaces, oid), ctx.serverUser);
      await run(`extract-tablespace-${oid}`, 'tar', [gz ? '-xzf' : '-xf', path.join(b.folder, `${oid}${ext}`), '-C', path.join(tablespaces, oid)]);
    }
    if (oids.length > 0) {
      const map = oids.map((oid) => `${oid} ${path.join(tablespaces, oid)}`).join('\n');
      await run('rewrite-tablespace-map', 'sh', ['-c', `printf '%s\\n' "$1" > "$2"`, 'sh', map, path.join(dataDir, 'tablespace_map')]);
    }
  }
  // The restored folder inherits the primary's archive settings: never archive into the source (archive_mode off).
  const settings: Record<string, string> = { archive_mode: 'off', archive_command: '' };
  if (b.archive) {
    touchOwnedFile(path.join(dataDir, 'recovery.signal'), ctx.serverUser);
    Object.assign(settings, targetSettings(request.target, request.timeline), { restore_command: restoreCommand(b.archive) });
  }
  return { kind: 'physical', dataDir, settings, ...(b.archive ? { archiveFolder: b.archive } : {}) };
}

/** Copies a segment (or history file) out of the archive, plain or gzipped; never writes into the archive. */
export function restoreCommand(archive: string): string {
  const a = archive.replace(/'/g, `'\\''`);
  return `if [ -f '${a}/%f' ]; then cp '${a}/%f' '%p'; elif [ -f '${a}/%f.gz' ]; then gunzip -c '${a}/%f.gz' > '%p'; else exit 1; fi`;
}
