// `pgdrill discover`: one drill file per pgBackRest stanza and Barman server of the user's configuration.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { stderr } from '../common.js';

export function discoverCommand(): Command {
  return new Command('discover')
    .description('write one drill file per pgBackRest stanza and Barman server of your configuration (only the configuration is read)')
    .option('--pgbackrest <file>', 'a pgbackrest.conf (its conf.d is read too)')
    .option('--barman <file>', 'a barman.conf (its configuration_files_directory is read too)')
    .option('--dir <dir>', 'where to write the drill files', 'drills')
    .option('--force', 'overwrite drill files that exist')
    .action(async (opts: { pgbackrest?: string; barman?: string; dir: string; force?: boolean }) => {
      if (!opts.pgbackrest && !opts.barman) throw new UsageError('nothing to discover', 'give --pgbackrest /etc/pgbackrest/pgbackrest.conf and/or --barman /etc/barman.conf');
      const { discoverDrills } = await import('../../tools/discover.js');
      const found = discoverDrills({ pgbackrest: opts.pgbackrest, barman: opts.barman });
      if (found.length === 0) throw new UsageError('no stanza or server found in the configuration given', 'check the file: pgBackRest stanzas are [name] sections, Barman servers too');
      const files = found.map((d) => ({ ...d, file: path.resolve(opts.dir, d.fileName) }));
      const existing = files.filter((f) => existsSync(f.file));
      if (existing.length > 0 && !opts.force) throw new UsageError(`pgdrill discover would overwrite ${existing.map((f) => f.file).join(', ')}`, 'move them away, or pass --force');
      mkdirSync(path.resolve(opts.dir), { recursive: true });
      for (const f of files) {
        writeFileSync(f.file, f.text);
        stderr.write(`wrote ${path.relative(process.cwd(), f.file) || f.file}: ${f.what}\n`);
      }
      stderr.write(`next: edit the objectives and checks, then npx pgdrill run ${path.relative(process.cwd(), path.resolve(opts.dir)) || '.'}/<file>.yaml\n`);
    });
}
