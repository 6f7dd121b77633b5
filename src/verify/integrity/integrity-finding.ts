// One piece of damage an integrity pass found, named the way a DBA acts on it: which database and relation,
// which block when the tool says, which tool, and the tool's own message.
import { rangeLabel, type BlockRange } from './block-ranges.js';
export type IntegrityTool = 'read' | 'amcheck' | 'verify_heapam' | 'pg_checksums' | 'page-scan';

export interface IntegrityFinding {
  tool: IntegrityTool;
  database: string;
  /** The table or index (for pg_checksums: the relation the damaged file belongs to, or the file). */
  relation: string;
  block: number | null;
  message: string;
}

/** The block a server message names ("invalid page in block 3 of relation ...", "heap tuple (3,7) ..."). */
export function blockIn(message: string): number | null {
  const m = /\bblock (\d+)\b/.exec(message) ?? /\((\d+),\d+\)/.exec(message);
  return m ? Number(m[1]) : null;
}

/** The text of a server error with its detail (amcheck puts the tids and LSNs there). */
export function serverMessage(error: unknown): string {
  const e = error as { message?: string; detail?: string };
  return [e.message ?? String(error), e.detail].filter(Boolean).join(' | ');
}

/** A block range the server refused: a checksum failure is a WARNING just before the ERROR, so it is kept. */
export function failedRange(tool: IntegrityTool, r: BlockRange, error: unknown, notices: readonly string[]): IntegrityFinding {
  const message = [...notices.filter((n) => /checksum|page verification/i.test(n)), serverMessage(error)].join(' | ');
  return { tool, database: r.relation.database, relation: r.relation.name, block: blockIn(message), message: `${message}${rangeLabel(r)}` };
}
