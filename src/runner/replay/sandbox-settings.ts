// A production cluster's configuration in a disposable sandbox: what cannot run on a drill machine, or would
// reach outside the sandbox, is overridden, and each override is reported with its original value. The copy of
// postgresql.conf in the work folder loses the lines that point elsewhere (data_directory, hba_file, include...);
// the sandbox gets pgdrill's own pg_hba.conf: only pgdrill, over a private Unix socket.
import { existsSync, readdirSync, readFileSync, writeFileSync, chownSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { OsUser } from '../../exec/os-user.js';
import { RESTORED_PINS } from '../../pg/pinned-settings.js';

export interface SettingOverride {
  setting: string;
  /** As the backup's configuration had it ('' when it was not set). */
  original: string;
  sandbox: string;
  why: string;
}

export interface SandboxConfig {
  overrides: SettingOverride[];
  /** Settings the provider appends (they win over the cluster's own). */
  settings: Record<string, string>;
  warnings: string[];
}

/** Lines of postgresql.conf that would make the sandbox read or write outside its folder. */
const POINTS_ELSEWHERE = /^\s*(data_directory|hba_file|ident_file|config_file|external_pid_file|include|include_if_exists|include_dir)\b/;

/** Reads `name = value` settings (postgresql.conf, then postgresql.auto.conf, which wins). */
export function readSettings(dataDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['postgresql.conf', 'postgresql.auto.conf']) {
    const file = path.join(dataDir, name);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^\s*([A-Za-z_.]+)\s*=?\s*('(?:[^']|'')*'|[^#\s]+)/.exec(line);
      if (m?.[1] && m[2] !== undefined) out[m[1].toLowerCase()] = m[2].replace(/^'|'$/g, '').replace(/''/g, "'");
    }
  }
  return out;
}

/** Bytes of a memory setting such as 64GB, 131072 (8kB pages) or 512MB. */
function memoryBytes(value: string, defaultUnit: number): number | undefined {
  const m = /^(\d+)\s*(kB|MB|GB|TB)?$/i.exec(value.trim());
  if (!m) return undefined;
  const unit = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 }[(m[2] ?? '').toLowerCase() as 'kb'] ?? defaultUnit;
  return Number(m[1]) * unit;
}

/**
 * Prepares a restored data folder to run as a sandbox: rewrites its configuration files (in the work folder)
 * and returns the overrides. `libDir` is where the sandbox's binaries look for extension libraries.
 */
export function prepareSandbox(dataDir: string, opts: { libDir: string; socketOwner: OsUser | undefined; extra: Record<string, string | number | boolean> }): SandboxConfig {
  const original = readSettings(dataDir);
  const overrides: SettingOverride[] = [];
  const warnings: string[] = [];
  const override = (setting: string, sandbox: string, why: string) => {
    overrides.push({ setting, original: original[setting] ?? '', sandbox, why });
  };

  const conf = path.join(dataDir, 'postgresql.conf');
  if (existsSync(conf)) {
    const lines = readFileSync(conf, 'utf8').split('\n');
    const kept = lines.map((l) => (POINTS_ELSEWHERE.test(l) ? `# pgdrill sandbox: ${l}` : l));
    for (const l of lines.filter((x) => POINTS_ELSEWHERE.test(x))) {
      const m = /^\s*(\w+)\s*=?\s*(.*)$/.exec(l);
      if (m?.[1]) override(m[1], '(removed)', 'points outside the sandbox');
    }
    writeFileSync(conf, kept.join('\n'));
  } else {
    // Debian-style clusters keep their configuration in /etc: the backup has none, the sandbox gets pgdrill's.
    writeFileSync(conf, '# pgdrill sandbox: the backup had no postgresql.conf (configuration kept outside the data folder)\n');
    warnings.push('the backup has no postgresql.conf (its configuration is kept outside the data folder): the sandbox runs with defaults plus the overrides listed');
  }
  // A backup of a standby keeps its standby.signal, which wins over recovery.signal: the sandbox would wait in
  // standby mode for WAL forever instead of recovering and promoting.
  if (existsSync(path.join(dataDir, 'standby.signal'))) {
    unlinkSync(path.join(dataDir, 'standby.signal'));
    overrides.push({ setting: 'standby.signal', original: 'present (a backup of a standby)', sandbox: '(removed)', why: 'the sandbox recovers to its target and promotes; in standby mode it would wait for WAL forever' });
  }
  writeFileSync(path.join(dataDir, 'pg_hba.conf'), '# pgdrill sandbox: only pgdrill, over a private Unix socket\nlocal all all trust\n');
  writeFileSync(path.join(dataDir, 'pg_ident.conf'), '');
  if (opts.socketOwner) for (const f of ['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf']) chownSync(path.join(dataDir, f), opts.socketOwner.uid, opts.socketOwner.gid);

  const shared = original['shared_buffers'] ? memoryBytes(original['shared_buffers'], 8192) : undefined;
  if (shared === undefined || shared > 256 * 1024 ** 2) override('shared_buffers', '128MB', 'sized for the drill machine');
  if (original['effective_cache_size']) override('effective_cache_size', '1GB', 'sized for the drill machine');
  if (original['huge_pages'] && original['huge_pages'] !== 'off') override('huge_pages', 'off', 'the drill machine reserves no huge pages');
  if (original['ssl'] && original['ssl'] !== 'off') override('ssl', 'off', 'its certificate and key are not on the drill machine; the sandbox takes no network connections');
  // ALTER SYSTEM writes list settings with each element quoted: '"a", "b"'.
  const preload = (original['shared_preload_libraries'] ?? '').split(',').map((l) => l.trim().replace(/^"|"$/g, '')).filter(Boolean);
  if (preload.length > 0) {
    const present = new Set(existsSync(opts.libDir) ? readdirSync(opts.libDir).map((f) => f.replace(/\.(so|dylib)$/, '')) : []);
    const missing = preload.filter((lib) => !present.has(lib.replace(/^\$libdir\//, '')));
    if (missing.length > 0) {
      overrides.push({ setting: 'shared_preload_libraries', original: preload.join(','), sandbox: preload.filter((l) => !missing.includes(l)).join(','), why: `library not installed on the drill machine: ${missing.join(', ')}` });
      warnings.push(`shared_preload_libraries: ${missing.join(', ')} not installed here, left out of the sandbox; objects that need ${missing.length === 1 ? 'it' : 'them'} will not work in the checks`);
    }
  }
  // Every restored instance's pins (pg/pinned-settings.ts), reported where the cluster had another value.
  for (const [setting, value, why] of [
    ...RESTORED_PINS,
    ['hot_standby', 'off', 'the sandbox accepts connections only once promoted; standby limits of the source do not apply'],
    ['listen_addresses', '', 'no network: pgdrill connects over a private Unix socket'],
  ] as const) {
    if ((original[setting] ?? '') !== value || setting === 'listen_addresses' || setting === 'archive_mode') override(setting, value, why);
  }
  const settings = Object.fromEntries(overrides.filter((o) => o.sandbox !== '(removed)').map((o) => [o.setting, o.sandbox]));
  for (const [k, v] of Object.entries(opts.extra)) {
    settings[k] = String(v);
    overrides.push({ setting: k, original: original[k] ?? '', sandbox: String(v), why: 'sandbox.settings in the drill file' });
  }
  return { overrides, settings, warnings };
}
