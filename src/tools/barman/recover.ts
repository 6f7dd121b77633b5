// The one `barman recover` of pgdrill, for the drill's own server and for a server the user has: local (no ssh),
// into a data folder of the work folder, to the target, tablespaces remapped there, WAL left to `barman get-wal`
// (--get-wal: nothing is copied that recovery would not read). Barman keeps the primary's port and archive
// settings, so the instance never archives (archive_mode = off). https://docs.pgbarman.org/release/3.4.0/
import path from 'node:path';
import { makeOwnedDir, touchOwnedFile } from '../../exec/os-user.js';
import type { RecoveryTarget } from '../../pg/recovery-target.js';
import type { RestorePlan, RestoreRequest } from '../backup-method.js';
import { recoverySettingsIn } from '../common/wal-archive.js';
import type { SourceContext } from '../source.js';

export interface BarmanRecover {
  /** Runs barman with these arguments (the caller's configuration and error handling). */
  barman: (args: string[], label: string) => Promise<unknown>;
  /** The configuration file the sandbox's restore_command runs barman with. */
  conf: string;
  server: string;
  backupId: string;
  /** Tablespace names of the backup: each is remapped into the work folder. */
  tablespaces: readonly string[];
  /** Serve the streamed .partial segment too (get-wal --partial): after a primary loss, what streaming caught. */
  partial: boolean;
  label: string;
}

export async function barmanRecover(ctx: SourceContext, request: RestoreRequest, r: BarmanRecover): Promise<RestorePlan> {
  const instanceDir = path.join(ctx.workDir, request.instanceName);
  const dataDir = path.join(instanceDir, 'data');
  const tablespaces = path.join(ctx.workDir, 'tablespaces');
  makeOwnedDir(instanceDir, ctx.serverUser);
  if (r.tablespaces.length > 0) makeOwnedDir(tablespaces, ctx.serverUser);
  const remap = r.tablespaces.flatMap((name) => ['--tablespace', `${name}:${path.join(tablespaces, name)}`]);
  const tli = request.timeline === 'latest' || request.timeline === 'current' ? [] : [`--target-tli=${request.timeline}`];
  await r.barman(['recover', '--get-wal', ...remap, ...targetArgs(request.target), ...tli, r.server, r.backupId, dataDir], r.label);
  // Without a target Barman prepares crash recovery over the WAL it copied; archive recovery through get-wal is
  // what proves the archive reads to its end.
  touchOwnedFile(path.join(dataDir, 'recovery.signal'), ctx.serverUser);
  return {
    kind: 'physical',
    dataDir,
    settings: {
      archive_mode: 'off',
      recovery_target_timeline: String(request.timeline),
      restore_command: `barman -c ${r.conf} get-wal ${r.partial ? '--partial ' : ''}${r.server} %f > %p`,
    },
    written: recoverySettingsIn(dataDir),
    ...(r.partial ? { servesPartial: true } : {}),
  };
}

/** Barman's own target vocabulary: --target-time|xid|lsn|name|immediate, --exclusive, --target-action. */
export function targetArgs(t: RecoveryTarget): string[] {
  const exclusive = (inclusive: boolean) => (inclusive ? [] : ['--exclusive']);
  switch (t.kind) {
    case 'xid':
      return [`--target-xid=${t.xid}`, ...exclusive(t.inclusive), '--target-action=promote'];
    case 'time':
      return [`--target-time=${t.time}`, ...exclusive(t.inclusive), '--target-action=promote'];
    case 'lsn':
      return [`--target-lsn=${t.lsn}`, ...exclusive(t.inclusive), '--target-action=promote'];
    case 'name':
      return [`--target-name=${t.name}`, '--target-action=promote'];
    case 'immediate':
      return ['--target-immediate', '--target-action=promote'];
    case 'latest':
      return [];
  }
}
