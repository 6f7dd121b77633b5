// The quick pass's read of the stopped copy, beside pg_checksums (stage-integrity.ts): the tables whose only
// values that can fail to decode are compressed byte strings and timestamps (value-plan.ts) are read file by
// file, page by page (heap-page.ts), instead of row by row through the server. pg_checksums proves the bytes
// of every block; this proves what the bytes say: every compressed value decompresses, every timestamp is one
// PostgreSQL can store. Both read the same files at once, on separate cores.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Relation } from './catalog.js';
import { BLOCK_SIZE, checkHeapPage, fixedPrefix, u16, type PageColumn, type PageProblem, type PageTally } from './heap-page.js';
import type { IntegrityFinding } from './integrity-finding.js';

/** A table read from its files: where they are (relative to the data folder) and its attributes in order. */
export interface PageScanTable {
  relation: Relation;
  file: string;
  columns: PageColumn[];
}

export interface PageScanOutcome {
  tables: number;
  bytes: number;
  tally: PageTally;
  findings: IntegrityFinding[];
  seconds: number;
}

/** Blocks per 1 GB segment file (relation.0, .1, ...): the default RELSEG_SIZE of 8 kB blocks. */
export const SEGMENT_BLOCKS = 131072;
const CHUNK = 128 * BLOCK_SIZE;
/** Findings kept per table; the rest are counted in one more. */
const KEPT_PER_TABLE = 50;

async function scanTable(t: PageScanTable, dataDir: string, bufs: readonly Uint8Array[], tally: PageTally, progress: { done: number } | undefined, signal: AbortSignal | undefined): Promise<{ bytes: number; findings: IntegrityFinding[] }> {
  const findings: IntegrityFinding[] = [];
  let more = 0;
  const timestamps = new Map<string, { count: number; block: number; item: number }>();
  const found = (block: number | null, message: string) => {
    if (findings.length < KEPT_PER_TABLE) findings.push({ tool: 'page-scan', database: t.relation.database, relation: t.relation.name, block, message });
    else more++;
  };
  let bytes = 0;
  const prefix = fixedPrefix(t.columns);
  const problem = (block: number): PageProblem => (item, column, message, kind) => {
    if (kind === 'timestamp' && column !== undefined) {
      const seen = timestamps.get(column);
      timestamps.set(column, seen ? { ...seen, count: seen.count + 1 } : { count: 1, block, item });
    } else found(block, `${message} (tuple (${block},${item})${column !== undefined && kind === 'value' ? `, column ${column}` : ''})`);
  };
  for (let seg = 0; ; seg++) {
    const file = path.join(dataDir, seg === 0 ? t.file : `${t.file}.${seg}`);
    const fh = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      // Past the last segment; the first one missing is a table whose rows the server could not read either.
      if (seg === 0) found(null, `its file ${t.file} is missing from the restored copy: could not open file "${t.file}"`);
      return undefined;
    });
    if (!fh) break;
    // Two buffers: the next chunk is read (by libuv's threads) while this one is walked.
    let next = fh.read(bufs[0] as Uint8Array, 0, CHUNK, 0);
    try {
      let position = 0;
      for (let n = 0; ; n++) {
        signal?.throwIfAborted();
        const buf = bufs[n & 1] as Uint8Array;
        const { bytesRead } = await next;
        if (bytesRead === CHUNK) next = fh.read(bufs[(n + 1) & 1] as Uint8Array, 0, CHUNK, position + CHUNK);
        if (bytesRead === 0) break;
        bytes += bytesRead;
        if (progress) progress.done += bytesRead;
        const firstBlock = seg * SEGMENT_BLOCKS + position / BLOCK_SIZE;
        for (let at = 0; at + BLOCK_SIZE <= bytesRead; at += BLOCK_SIZE) {
          const block = firstBlock + at / BLOCK_SIZE;
          const ok = checkHeapPage(buf, at, t.columns, tally, problem(block), prefix);
          if (!ok) found(block, `page header unusable (pd_lower ${u16(buf, at + 12)}, pd_upper ${u16(buf, at + 14)}, pd_special ${u16(buf, at + 16)})`);
        }
        if (bytesRead < CHUNK) break;
        position += CHUNK;
      }
    } finally {
      await next.catch(() => undefined); // no read left in flight on a closed file
      await fh.close();
    }
  }
  for (const [column, s] of timestamps) {
    findings.push({ tool: 'page-scan', database: t.relation.database, relation: t.relation.name, block: s.block, message: `${s.count} value(s) of column ${column} outside the range PostgreSQL can store (4714-11-24 BC to 294276-12-31): damaged bytes (first at tuple (${s.block},${s.item}))` });
  }
  if (more > 0) findings.push({ tool: 'page-scan', database: t.relation.database, relation: t.relation.name, block: null, message: `${more} more problem(s) in this table` });
  return { bytes, findings };
}

/** Reads every table's files once, largest first; `progress.done` grows by the bytes read. */
export async function scanStoppedCopy(tables: readonly PageScanTable[], dataDir: string, opts: { progress?: { done: number }; signal?: AbortSignal } = {}): Promise<PageScanOutcome> {
  const started = performance.now();
  const tally: PageTally = { tuples: 0, compressed: 0, timestamps: 0 };
  const bufs = [new Uint8Array(CHUNK), new Uint8Array(CHUNK)];
  const findings: IntegrityFinding[] = [];
  let bytes = 0;
  for (const t of [...tables].sort((a, b) => b.relation.bytes - a.relation.bytes)) {
    const r = await scanTable(t, dataDir, bufs, tally, opts.progress, opts.signal);
    bytes += r.bytes;
    findings.push(...r.findings);
  }
  return { tables: tables.length, bytes, tally, findings, seconds: (performance.now() - started) / 1000 };
}
