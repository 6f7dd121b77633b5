// The full pass's logical checks, through SQL so they work on whatever major the sandbox runs: amcheck's
// bt_index_check with heapallindexed on every B-tree index (every heap tuple must have its index entry, the
// index must be ordered), and verify_heapam on every table with its TOAST (PostgreSQL 14 and later).
// The extension is created in the sandbox only (a disposable copy), in a schema of its own.
import type pg from 'pg';
import type { Relation } from './catalog.js';
import type { BlockRange } from './block-ranges.js';
import { inParallel } from './connection-pool.js';
import { blockIn, failedRange, serverMessage, type IntegrityFinding } from './integrity-finding.js';

const SCHEMA = 'pgdrill_amcheck';

export interface AmcheckPass {
  checked: number;
  findings: IntegrityFinding[];
}

/**
 * Makes amcheck available in each database; returns the schema holding it per database, or throws with the fix
 * when the server has no amcheck (contrib not installed with these binaries).
 */
export async function installAmcheck(databases: readonly string[], connect: (db: string) => Promise<pg.Client>): Promise<Map<string, string>> {
  const where = new Map<string, string>();
  for (const db of databases) {
    const client = await connect(db);
    try {
      await client.query(`create schema if not exists ${SCHEMA}`);
      await client.query(`create extension if not exists amcheck with schema ${SCHEMA}`);
      // An older amcheck already in the database may lack verify_heapam: bring it to the server's version.
      await client.query('alter extension amcheck update');
      const { rows } = await client.query<{ nspname: string }>(`select quote_ident(n.nspname) as nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'amcheck'`);
      where.set(db, rows[0]?.nspname ?? SCHEMA);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return where;
}

type Opts = { jobs: number; connect(database: string): Promise<pg.Client>; signal: AbortSignal; schemaOf: Map<string, string>; onDone?(item: Relation | BlockRange): void };

export async function checkIndexes(indexes: readonly Relation[], opts: Opts): Promise<AmcheckPass> {
  const findings: IntegrityFinding[] = [];
  let checked = 0;
  await inParallel<Relation>(indexes, {
    ...opts,
    databaseOf: (r) => r.database,
    work: async (client, r) => {
      await client.query(`select ${opts.schemaOf.get(r.database)}.bt_index_check($1::oid::regclass, true)`, [r.oid]);
      checked++;
    },
    onError: (r, error) => {
      checked++;
      const message = serverMessage(error);
      // heapallindexed reads the table: a damaged table page fails the index check too, and its block is the
      // table's (the read finding names it), not the index's.
      const inTable = /of relation (base|global|pg_tblspc)\//.test(message) && !message.includes('index');
      findings.push({ tool: 'amcheck', database: r.database, relation: r.name, block: inTable ? null : blockIn(message), message: inTable ? `reading its table failed: ${message}` : message });
    },
  });
  return { checked, findings };
}

export async function checkHeaps(ranges: readonly BlockRange[], opts: Opts): Promise<AmcheckPass> {
  const findings: IntegrityFinding[] = [];
  const checked = new Set<Relation>();
  await inParallel<BlockRange>(ranges, {
    ...opts,
    databaseOf: (r) => r.relation.database,
    work: async (client, r) => {
      const blocks = r.from === undefined ? '' : `, startblock => ${r.from}${r.to !== undefined ? `, endblock => ${r.to - 1}` : ''}`;
      const { rows } = await client.query<{ blkno: string | null; offnum: number | null; attnum: number | null; msg: string }>(
        `select blkno::text, offnum, attnum, msg from ${opts.schemaOf.get(r.relation.database)}.verify_heapam($1::oid::regclass, on_error_stop => false, check_toast => true, skip => 'none'${blocks})`,
        [r.relation.oid],
      );
      checked.add(r.relation);
      for (const row of rows) {
        const at = [row.offnum !== null ? `offset ${row.offnum}` : '', row.attnum !== null ? `attribute ${row.attnum}` : ''].filter(Boolean).join(', ');
        findings.push({ tool: 'verify_heapam', database: r.relation.database, relation: r.relation.name, block: row.blkno === null ? null : Number(row.blkno), message: at ? `${row.msg} (${at})` : row.msg });
      }
    },
    onError: (r, error, notices) => {
      checked.add(r.relation);
      findings.push(failedRange('verify_heapam', r, error, notices));
    },
  });
  return { checked: checked.size, findings };
}
