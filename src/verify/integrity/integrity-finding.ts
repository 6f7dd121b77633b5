// One piece of damage an integrity pass found, named the way a DBA acts on it: which database and relation,
// which block when the tool says, which tool, and the tool's own message.
export type IntegrityTool = 'read' | 'amcheck' | 'verify_heapam' | 'pg_checksums';

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
