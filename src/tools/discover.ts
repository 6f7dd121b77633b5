// `pgdrill discover`: one drill file per pgBackRest stanza and per Barman server found in the user's
// configuration, ready to run (the newest backup, to the end of the archive) with objectives and checks to fill
// in. Only the configuration files are read: no tool runs, nothing on the backup host is written.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { barmanServers } from './barman/config.js';
import { iniSections, iniValue } from './common/ini.js';

export interface DiscoveredDrill {
  /** File name, e.g. pgbackrest-main.yaml. */
  fileName: string;
  text: string;
  /** What it drills, for the command's output. */
  what: string;
}

/** Stanzas of a pgBackRest configuration: every section but [global], [global:<command>] and [<stanza>:<command>]. */
export function pgbackrestStanzas(config: string): Array<{ stanza: string; pgPath: string | undefined }> {
  const files = [config];
  // pgBackRest also reads conf.d next to its main file (its default --config-include-path).
  const includeDir = path.join(path.dirname(config), 'conf.d');
  if (existsSync(includeDir)) files.push(...readdirSync(includeDir).filter((f) => f.endsWith('.conf')).sort().map((f) => path.join(includeDir, f)));
  const stanzas = new Map<string, string | undefined>();
  for (const file of files) {
    for (const s of iniSections(readFileSync(file, 'utf8'))) {
      if (s.name === 'global' || s.name.includes(':')) continue;
      stanzas.set(s.name, stanzas.get(s.name) ?? iniValue(s.lines, 'pg1-path'));
    }
  }
  return [...stanzas].map(([stanza, pgPath]) => ({ stanza, pgPath }));
}

function drillText(header: string[], name: string, sourceLine: string): string {
  return [
    ...header.map((l) => `# ${l}`),
    `name: ${name}`,
    'objectives: { rto: 15m, rpo: 5m }            # edit: the objectives your runbook promises',
    'source:',
    `  ${sourceLine}`,
    '  # live: { conninfo: env:SOURCE_DATABASE_URL, runFor: 2m, heartbeat: 1s }   # a measured RPO (README: live)',
    'recovery: { target: latest }                 # everything the backup and its archive hold',
    'verify: []                                   # edit: what must be true of your data after a restore, e.g.',
    "  # - sql: select count(*) > 0 from orders where created_at > now() - interval '2 days'",
    '  #   expect: true',
    '  # - table: public.orders                   # read end to end, row count reported',
    '',
  ].join('\n');
}

export function discoverDrills(opts: { pgbackrest?: string | undefined; barman?: string | undefined; today?: string }): DiscoveredDrill[] {
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const out: DiscoveredDrill[] = [];
  if (opts.pgbackrest) {
    const config = path.resolve(opts.pgbackrest);
    if (!existsSync(config)) throw new UsageError(`--pgbackrest ${opts.pgbackrest}: not found`, 'give the pgbackrest.conf your backups use (usually /etc/pgbackrest/pgbackrest.conf)');
    for (const { stanza, pgPath } of pgbackrestStanzas(config)) {
      const name = `pgbackrest-${stanza}`;
      out.push({
        fileName: `${name}.yaml`,
        what: `pgBackRest stanza ${stanza}`,
        text: drillText(
          [`Written by pgdrill discover on ${today} from ${config}: pgBackRest stanza ${stanza}${pgPath ? ` (cluster ${pgPath})` : ''}.`, 'pgdrill only reads the repository. Edit the objectives and the checks; set: random rotates through the retention window.'],
          name,
          `pgbackrest: { stanza: ${stanza}, config: ${config}, set: latest }   # or oldest, random, a label`,
        ),
      });
    }
  }
  if (opts.barman) {
    const config = path.resolve(opts.barman);
    if (!existsSync(config)) throw new UsageError(`--barman ${opts.barman}: not found`, 'give the barman.conf your backups use (usually /etc/barman.conf)');
    for (const { section, file } of barmanServers(config).servers) {
      const name = `barman-${section.name}`;
      const description = iniValue(section.lines, 'description');
      out.push({
        fileName: `${name}.yaml`,
        what: `Barman server ${section.name}`,
        text: drillText(
          [`Written by pgdrill discover on ${today} from ${file}: Barman server ${section.name}${description ? ` (${description})` : ''}.`, 'pgdrill only reads barman_home. Edit the objectives and the checks; backup: random rotates through the retention window.'],
          name,
          `barman: { server: ${section.name}, config: ${config}, backup: latest }   # or oldest, random, a backup id`,
        ),
      });
    }
  }
  return out;
}
