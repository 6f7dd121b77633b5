// The quick pass: every table of every database read end to end, once. Each row is turned into text
// (t::text), which fetches and decompresses every TOASTed value and runs every column's output function, so a
// damaged heap page, a missing TOAST chunk or an undecodable value fails the read that hits it. Nothing is
// sent back but a row count and a byte count.
import type { Relation } from './catalog.js';
import { inParallel } from './connection-pool.js';
import { blockIn, serverMessage, type IntegrityFinding } from './integrity-finding.js';
import type pg from 'pg';

export interface TableRead {
  relation: Relation;
  rows: number;
  /** Bytes of the rows as text (what a dump would write), besides the on-disk size in relation.bytes. */
  textBytes: number;
}

export interface ReadPass {
  read: TableRead[];
  findings: IntegrityFinding[];
}

export async function readTables(
  tables: readonly Relation[],
  opts: { jobs: number; connect(database: string): Promise<pg.Client>; signal: AbortSignal },
): Promise<ReadPass> {
  const read: TableRead[] = [];
  const findings: IntegrityFinding[] = [];
  await inParallel(tables, {
    ...opts,
    databaseOf: (t) => t.database,
    work: async (client, t) => {
      const { rows } = await client.query<{ n: string; text_bytes: string }>(
        `select count(*)::text as n, coalesce(sum(octet_length(t::text)), 0)::text as text_bytes from only ${t.name} t`,
      );
      read.push({ relation: t, rows: Number(rows[0]?.n ?? 0), textBytes: Number(rows[0]?.text_bytes ?? 0) });
    },
    onError: (t, error, notices) => {
      // A checksum failure is a WARNING just before the ERROR: it carries the checksums, keep it.
      const message = [...notices.filter((n) => /checksum|page verification/i.test(n)), serverMessage(error)].join(' | ');
      findings.push({ tool: 'read', database: t.database, relation: t.name, block: blockIn(message), message });
    },
  });
  return { read, findings };
}
