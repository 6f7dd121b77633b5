// How far verification got, for the progress line of a long verify phase (a count over a table of billions of
// rows). Done: the bytes the restored server's client backends and their parallel workers read since the phase
// began (Linux /proc/<pid>/io, rchar: every read, from the page cache or the disk). Total: what the drill's
// queries scan as EXPLAIN plans them (each relation under a scan node, at its size on disk), planned once as the
// phase starts, in the check's own database and role. Without /proc (macOS) there is no sample: the phase runs
// without a progress line, as before.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AnyDrill } from '../drill/drill.js';
import { bytesReadByProcess } from '../exec/processes.js';
import { postmasterPid } from '../providers/readiness.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { ProgressSampler } from './timeline.js';
import { whereChecksRun, type Where } from '../verify/where-checks-run.js';

/** Server processes that do not read for the drill's checks (their reads would count as progress). */
const NOT_A_CHECK = /(checkpointer|background writer|walwriter|autovacuum|logical replication|archiver|startup|walreceiver|walsender|stats collector|io worker)/;

interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  Schema?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The server's processes that may be running a check, with what each has read (rchar). */
function checkReaders(postmaster: number): Map<number, number> {
  const read = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== postmaster) continue;
      if (NOT_A_CHECK.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) continue;
      const rchar = bytesReadByProcess(Number(entry));
      if (rchar !== undefined) read.set(Number(entry), rchar);
    } catch {
      // the process ended while it was read, or is not ours to read
    }
  }
  return read;
}

/** Bytes the drill's SQL checks will scan, as the planner says; a query EXPLAIN cannot plan adds nothing. */
async function plannedBytes(restored: PostgresInstance, checks: ReadonlyArray<{ sql: string } & Where>): Promise<number> {
  let total = 0;
  for (const c of checks) {
    try {
      total += await whereChecksRun(restored, c, async (client) => {
        const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (format json, verbose) ${c.sql}`);
        const scanned: Array<[schema: string, name: string]> = [];
        const walk = (n: PlanNode | undefined) => {
          if (!n) return;
          // An index-only scan still reads the heap pages the visibility map does not mark all-visible, and the
          // map's share is unknown after replay (pg_class counts it at the last vacuum): its heap counts whole, so the
          // time left is at most what the line says.
          if (n['Relation Name'] && n.Schema && /Scan/.test(n['Node Type'] ?? '')) scanned.push([n.Schema, n['Relation Name']]);
          if (n['Index Name'] && n.Schema) scanned.push([n.Schema, n['Index Name']]);
          for (const p of n.Plans ?? []) walk(p);
        };
        walk(rows[0]?.['QUERY PLAN'][0]?.Plan);
        if (scanned.length === 0) return 0;
        const sizes = await client.query<{ bytes: string }>(
          'select coalesce(sum(pg_relation_size(c.oid)), 0)::text as bytes from unnest($1::text[], $2::text[]) as s(nsp, rel) join pg_namespace n on n.nspname = s.nsp join pg_class c on c.relnamespace = n.oid and c.relname = s.rel',
          [scanned.map((s) => s[0]), scanned.map((s) => s[1])],
        );
        return Number(sizes.rows[0]?.bytes ?? 0);
      });
    } catch {
      // not a plannable statement (a DO block, SHOW): it reads what it reads, uncounted
    }
  }
  return total;
}

/** Undefined where the server's processes cannot be read (no /proc) or the drill has no SQL check. */
export function verifyProgress(restored: PostgresInstance, drill: AnyDrill): ProgressSampler | undefined {
  const checks = drill.verify.filter((c): c is Extract<typeof c, { sql: string }> => 'sql' in c);
  const postmaster = postmasterPid(restored.dataDir);
  if (checks.length === 0 || postmaster === undefined || !existsSync(`/proc/${postmaster}/io`)) return undefined;
  const before = checkReaders(postmaster);
  const seen = new Map<number, number>();
  // Planned while the phase starts (EXPLAIN commits nothing, so it moves nothing verification reads first).
  const total = plannedBytes(restored, checks);
  return async () => {
    // A parallel worker that ended keeps the bytes it was last seen with.
    for (const [pid, rchar] of checkReaders(postmaster)) seen.set(pid, rchar - (before.get(pid) ?? 0));
    const done = [...seen.values()].reduce((a, b) => a + b, 0);
    const planned = await total;
    return { done, total: planned > 0 ? Math.max(planned, done) : undefined };
  };
}
