// `pgdrill schema snapshot`: a database's schema as the file a drill's `schema:` check compares with.
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { stderr } from '../common.js';

export function schemaCommand(): Command {
  const schema = new Command('schema').description('schema snapshots a drill compares a restored database with');
  schema
    .command('snapshot')
    .description('write the schema of a live database (read-only; connection from the PG* environment variables, as psql) as one object per line, sorted')
    .requiredOption('--database <name>', 'the database to snapshot')
    .requiredOption('--out <file>', 'where to write it, e.g. schema/shop.snapshot (commit it; verify: - schema: schema/shop.snapshot)')
    .action(async (opts: { database: string; out: string }) => {
      const [{ default: pg }, { schemaSnapshot, snapshotText }] = await Promise.all([import('pg'), import('../../verify/schema-snapshot.js')]);
      const client = new pg.Client({ database: opts.database, application_name: 'pgdrill schema snapshot', connectionTimeoutMillis: 10_000 });
      await client.connect();
      try {
        await client.query('set default_transaction_read_only = on');
        const lines = await schemaSnapshot(client);
        writeFileSync(opts.out, snapshotText(opts.database, lines));
        stderr.write(`${lines.length} objects of ${opts.database} written to ${opts.out}\n`);
      } finally {
        await client.end();
      }
    });
  return schema;
}
