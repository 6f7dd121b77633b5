// The one `pgbackrest restore` of pgdrill, for the drill's own repository and for a stanza the user has: into a
// data folder of the work folder, to the target, with --archive-mode=off so the restored instance never archives
// into the repository. https://pgbackrest.org/command.html#command-restore
import path from 'node:path';
import { makeOwnedDir } from '../../exec/os-user.js';
import type { RecoveryTarget } from '../../pg/recovery-target.js';
import type { RestorePlan, RestoreRequest } from '../backup-method.js';
import type { SourceContext } from '../source.js';
import { recoverySettingsIn } from '../common/wal-archive.js';

export interface PgBackRestRestore {
  /** Options every call carries: --config, --stanza and pgBackRest's own state (lock, log). */
  options: string[];
  /** The backup set's label. */
  set: string;
  /** Options of this use: a spool path, tablespaces remapped, the restore_command the sandbox runs. */
  extra?: string[];
  label: string;
  /** The PGPASSWORD pgBackRest may need (the drill's own primary). */
  env?: Record<string, string>;
}

/** Restores a set into `<work>/<instance>/data` and says how the instance recovers (pgBackRest wrote it). */
export async function pgbackrestRestore(ctx: SourceContext, request: RestoreRequest, r: PgBackRestRestore): Promise<RestorePlan> {
  const instanceDir = path.join(ctx.workDir, request.instanceName);
  const dataDir = path.join(instanceDir, 'data');
  makeOwnedDir(instanceDir, ctx.serverUser);
  makeOwnedDir(dataDir, ctx.serverUser);
  // At info, pgBackRest's first line is the command with every option in force, the configuration's included
  // (secrets redacted): the process-max the user configured is the one the restore ran with, and said so.
  const options = [...r.options.filter((o) => !o.startsWith('--log-level-console=')), '--log-level-console=info'];
  const run = await ctx.runner.run(
    'pgbackrest',
    [...options, `--pg1-path=${dataDir}`, `--set=${r.set}`, ...targetArgs(request.target), `--target-timeline=${request.timeline}`, '--archive-mode=off', ...(r.extra ?? []), 'restore'],
    { label: r.label, asServerUser: true, ...(r.env ? { env: r.env } : {}) },
  );
  const processes = processMaxOf(run.stdout);
  return { kind: 'physical', dataDir, settings: {}, written: recoverySettingsIn(dataDir), ...(processes !== undefined ? { restoreProcesses: processes } : {}) };
}

/** The process-max of "restore command begin 2.45: ... --process-max=4 ...", 1 (pgBackRest's default) when unset; undefined without that line. */
export function processMaxOf(output: string): number | undefined {
  const begin = /restore command begin [^:]*:(.*)$/m.exec(output)?.[1];
  if (begin === undefined) return undefined;
  return Number(/ --process-max=(\d+)/.exec(begin)?.[1] ?? 1);
}

/** pgBackRest's own target vocabulary: --type=time|xid|lsn|name|immediate|default, exclusive unless inclusive, promote at the target. */
export function targetArgs(t: RecoveryTarget): string[] {
  const exclusive = (inclusive: boolean) => (inclusive ? [] : ['--target-exclusive']);
  switch (t.kind) {
    case 'xid':
      return ['--type=xid', `--target=${t.xid}`, ...exclusive(t.inclusive), '--target-action=promote'];
    case 'time':
      return ['--type=time', `--target=${t.time}`, ...exclusive(t.inclusive), '--target-action=promote'];
    case 'lsn':
      return ['--type=lsn', `--target=${t.lsn}`, ...exclusive(t.inclusive), '--target-action=promote'];
    case 'name':
      return ['--type=name', `--target=${t.name}`, '--target-action=promote'];
    case 'immediate':
      return ['--type=immediate', '--target-action=promote'];
    case 'latest':
      return ['--type=default'];
  }
}
