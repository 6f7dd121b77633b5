// The user's Barman configuration, as a drill may use it: the global section and the one server's section
// (from the main file or a file of configuration_files_directory), with everything Barman would write or run
// pointed away from the user's machine: the log, the locks and the recovery staging go to the work folder, the incoming and
// streaming WAL folders become empty folders there (`barman recover` first archives whatever waits in them,
// which would write into the user's archive), and hook scripts are switched off. Barman does the reading.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DrillConfigError } from '../../errors.js';
import { iniKey as keyOf, iniSections as sections, iniValue as value, type IniSection } from '../common/ini.js';

/** Keys pgdrill sets itself, per section; the user's values for them are dropped. */
const GLOBAL_KEYS = ['barman_user', 'log_file', 'log_level', 'barman_lock_directory', 'configuration_files_directory'];
const SERVER_KEYS = ['incoming_wals_directory', 'streaming_wals_directory', 'errors_directory', 'recovery_staging_path'];
const HOOK = /_script$/;

/** The section's lines without the keys dropped (and their continuation lines). */
function without(lines: string[], drop: (key: string) => boolean): string[] {
  const kept: string[] = [];
  let dropping = false;
  for (const line of lines) {
    if (/^\s+\S/.test(line) && !/^\s*[#;]/.test(line)) {
      if (!dropping) kept.push(line);
      continue;
    }
    const key = keyOf(line);
    dropping = key !== undefined && drop(key);
    if (!dropping) kept.push(line);
  }
  return kept;
}

export interface DrillBarmanConfig {
  text: string;
  barmanHome: string;
  /** Every configuration file read (for the report and the read-only hashes). */
  files: string[];
}

/** Barman's configuration as Barman reads it: the [barman] section and every server, with the file it is in. */
export function barmanServers(mainFile: string): { global: IniSection; servers: Array<{ section: IniSection; file: string }> } {
  const main = sections(readFileSync(mainFile, 'utf8'));
  const global = main.find((s) => s.name === 'barman');
  if (!global) throw new DrillConfigError([{ file: mainFile, path: 'source.barman.config', message: `${mainFile} has no [barman] section: not a Barman configuration file`, fix: 'point source.barman.config at barman.conf (usually /etc/barman.conf)' }]);
  const servers = main.filter((s) => s.name !== 'barman').map((section) => ({ section, file: mainFile }));
  const includeDir = value(global.lines, 'configuration_files_directory');
  if (includeDir && existsSync(includeDir)) {
    for (const f of readdirSync(includeDir).filter((n) => n.endsWith('.conf')).sort()) {
      for (const section of sections(readFileSync(path.join(includeDir, f), 'utf8'))) servers.push({ section, file: path.join(includeDir, f) });
    }
  }
  return { global, servers };
}

export function drillBarmanConfig(mainFile: string, server: string, state: { dir: string; user: string }): DrillBarmanConfig {
  const { global, servers } = barmanServers(mainFile);
  const found = servers.find((s) => s.section.name === server);
  if (!found) {
    throw new DrillConfigError([{ file: mainFile, path: 'source.barman.server', message: `no server [${server}] in ${[...new Set([mainFile, ...servers.map((s) => s.file)])].join(', ')}`, fix: servers.length ? `name one of: ${servers.map((s) => s.section.name).join(', ')}` : 'name a server Barman knows (barman list-servers)' }]);
  }
  const section = found.section;
  const files = [...new Set([mainFile, found.file])];
  const barmanHome = value(global.lines, 'barman_home') ?? '/var/lib/barman';
  const text = [
    '[barman]',
    ...without(global.lines, (k) => GLOBAL_KEYS.includes(k) || HOOK.test(k)).filter((l) => l.trim() !== ''),
    `barman_user = ${state.user}`,
    `log_file = ${path.join(state.dir, 'barman.log')}`,
    'log_level = INFO',
    `barman_lock_directory = ${path.join(state.dir, 'lock')}`,
    '',
    `[${server}]`,
    ...without(section.lines, (k) => SERVER_KEYS.includes(k) || HOOK.test(k)).filter((l) => l.trim() !== ''),
    `incoming_wals_directory = ${path.join(state.dir, 'incoming')}`,
    `streaming_wals_directory = ${path.join(state.dir, 'streaming')}`,
    `errors_directory = ${path.join(state.dir, 'errors')}`,
    // A compressed backup is decompressed into the staging path before recover copies it: the work folder's.
    `recovery_staging_path = ${path.join(state.dir, 'staging')}`,
    '',
  ].join('\n');
  return { text, barmanHome, files };
}

/**
 * A server's base and WAL folders as Barman derives them (`backup_directory` defaults to
 * `%(barman_home)s/%(name)s`, its `base` and `wals` below it), with configparser's `%(key)s` references
 * resolved: known before any barman command runs, since some of them create what is missing there.
 */
export function barmanServerFolders(mainFile: string, server: string): { baseDir: string; walsDir: string } | undefined {
  const { global, servers } = barmanServers(mainFile);
  const section = servers.find((s) => s.section.name === server)?.section;
  if (!section) return undefined;
  const own = (key: string) => value(section.lines, key) ?? value(global.lines, key);
  const defaults: Record<string, string> = {
    name: server,
    barman_home: '/var/lib/barman',
    backup_directory: '%(barman_home)s/%(name)s',
    basebackups_directory: '%(backup_directory)s/base',
    wals_directory: '%(backup_directory)s/wals',
  };
  const resolve = (key: string, depth = 0): string => {
    const raw = (key === 'name' ? server : own(key)) ?? defaults[key] ?? '';
    return depth > 10 ? raw : raw.replace(/%\(([a-z_]+)\)s/g, (_, k: string) => resolve(k, depth + 1));
  };
  return { baseDir: resolve('basebackups_directory'), walsDir: resolve('wals_directory') };
}
