// The rules of an evidence store, over any Blobs: `pull` brings what the history page, the reports and the
// chain need into an output folder (never the logs); `push` adds the runs the store does not have, refusing a
// run whose chain does not continue from the store's newest run and never rewriting one; then it writes a
// signed head naming the newest run and its manifest's hash, so deleting or replacing the newest run (which no
// successor links to) is detected too. `verifyStore` checks every run, the chain and the head.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { checkRollback, HEAD, HEAD_SIGNATURE, nextHead, parseHead, readSeen, writeSeen, type Head } from '../head.js';
import { listFiles, sha256 } from '../hashing.js';
import { MANIFEST, type Manifest } from '../manifest.js';
import type { Signer } from '../signing.js';
import { isRunFolder, verifyEvidence, type Verification } from '../verify-evidence.js';
import type { Blobs } from './blobs.js';
import { PRUNED, PRUNED_SIGNATURE } from './prune.js';
import { readPullRecord, writePullRecord } from './pull-record.js';

/** A run's files a pull brings: summary, results, reports, comparison, the manifest and its signature. */
const PULLED = /^[^/]+\/(summary\.json|index\.html|comparison\.(json|html|md)|evidence\/manifest\.(json|sig)|[^/]+\/(result\.json|report\.html))$/;

const runOf = (key: string) => key.split('/')[0] ?? '';

export type { Head };

/**
 * Every key of the store, refused whole when one could name a path outside the folder it is copied into
 * (`..`, an absolute path, a backslash, an empty segment): an intruder's `../` key must not write anywhere.
 */
async function safeKeys(blobs: Blobs): Promise<string[]> {
  const keys = await blobs.list();
  const bad = keys.filter((k) => k.startsWith('/') || k.includes('\\') || k.split('/').some((seg) => seg === '' || seg === '.' || seg === '..'));
  if (bad.length > 0) {
    throw new EnvironmentError(
      `evidence store ${blobs.describe} holds ${bad.length} key(s) that point outside a run folder: ${bad.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')}; nothing was copied from it`,
      'someone with write access to the store added them: remove those objects, then pull or verify again (and find out who wrote them)',
    );
  }
  return keys;
}

async function headOf(blobs: Blobs, keys: string[]): Promise<Buffer | null> {
  return keys.includes(HEAD) ? blobs.get(HEAD) : null;
}

export async function pull(blobs: Blobs, outDir: string): Promise<{ runs: string[]; files: number; head: Head | null }> {
  const keys = await safeKeys(blobs);
  const runs = [...new Set(keys.filter((k) => k.includes('/')).map(runOf))].sort();
  const omitted: Record<string, number> = {};
  const pulledBefore = readPullRecord(outDir)?.omitted ?? {};
  let files = 0;
  mkdirSync(outDir, { recursive: true });
  for (const run of runs) {
    const local = path.join(outDir, run);
    const ofRun = keys.filter((k) => runOf(k) === run);
    if (existsSync(local) && pulledBefore[run] === undefined) {
      // A run folder this machine wrote itself (not pulled): keep it as it is.
      continue;
    }
    for (const key of ofRun.filter((k) => PULLED.test(k))) {
      const file = path.join(outDir, key);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, await blobs.get(key));
      files++;
    }
    omitted[run] = ofRun.filter((k) => !PULLED.test(k)).length;
  }
  const headBytes = await headOf(blobs, keys);
  // The store's head becomes the folder's, so the pulled folder verifies on its own and the next run continues
  // it; a folder holding runs of its own that the store has not had yet keeps its own head.
  const ownNewer = readdirSync(outDir).some((d) => isRunFolder(path.join(outDir, d)) && pulledBefore[d] === undefined && omitted[d] === undefined && d > (runs.at(-1) ?? ''));
  for (const top of [PRUNED, PRUNED_SIGNATURE]) if (keys.includes(top)) writeFileSync(path.join(outDir, top), await blobs.get(top));
  if (headBytes && !ownNewer) {
    writeFileSync(path.join(outDir, HEAD), headBytes);
    if (keys.includes(HEAD_SIGNATURE)) writeFileSync(path.join(outDir, HEAD_SIGNATURE), await blobs.get(HEAD_SIGNATURE));
    else rmSync(path.join(outDir, HEAD_SIGNATURE), { force: true });
  }
  writePullRecord(outDir, { store: blobs.describe, pulledAt: new Date().toISOString(), omitted: { ...pulledBefore, ...omitted } });
  return { runs, files, head: headBytes ? parseHead(headBytes) : null };
}

export async function push(blobs: Blobs, outDir: string, signer: Signer | undefined): Promise<{ pushed: string[]; head: Head | null }> {
  const keys = await safeKeys(blobs);
  const stored = new Set(keys.filter((k) => k.includes('/')).map(runOf));
  const headBytes = await headOf(blobs, keys);
  const head = headBytes ? parseHead(headBytes) : null;
  const pulled = readPullRecord(outDir)?.omitted ?? {};
  const fresh = (existsSync(outDir) ? readdirSync(outDir) : []).filter((d) => isRunFolder(path.join(outDir, d)) && !stored.has(d) && !(d in pulled)).sort();
  if (fresh.length === 0) return { pushed: [], head };
  let previous = head ? { runId: head.runId, manifestSha256: head.manifestSha256 } : null;
  for (const run of fresh) {
    const manifestFile = path.join(outDir, run, MANIFEST);
    if (!existsSync(manifestFile)) throw new EnvironmentError(`run ${run} has no evidence/manifest.json, so it cannot join the chain`, 'push runs written by pgdrill run or compare');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    if ((manifest.previous?.manifestSha256 ?? null) !== (previous?.manifestSha256 ?? null)) {
      throw new EnvironmentError(
        `run ${run} continues the chain from ${manifest.previous?.runId ?? 'nothing (a first run)'}, but the store's newest run is ${previous?.runId ?? 'none (an empty store)'}: pushing it would break the chain`,
        `pull from the store into an empty output folder before the run (pgdrill evidence pull, or pgdrill run --store), then run again`,
      );
    }
    previous = { runId: run, manifestSha256: sha256(readFileSync(manifestFile)) };
  }
  for (const run of fresh) {
    for (const f of listFiles(path.join(outDir, run))) await blobs.put(`${run}/${f}`, readFileSync(path.join(outDir, run, f)));
  }
  const next = nextHead(headBytes, previous!, stored.size + fresh.length, signer);
  if (next.signature) await blobs.put(HEAD_SIGNATURE, next.signature);
  else if (keys.includes(HEAD_SIGNATURE)) await blobs.remove(HEAD_SIGNATURE);
  await blobs.put(HEAD, next.head);
  await blobs.finish(`pgdrill: ${fresh.join(', ')}`);
  return { pushed: fresh, head: parseHead(next.head) };
}

export interface StoreVerifyOptions {
  publicKeyPem?: string | undefined;
  /** --last-seen FILE: the highest head seen before; rewritten with this store's head when everything holds. */
  lastSeenFile?: string | undefined;
  /** --expect-at-least N: the head's sequence must be at least this. */
  atLeast?: number | undefined;
}

/**
 * Every run of the store (downloaded whole), the chain between them, the head against the newest run, the
 * head against the highest one seen before (a rollback), and in a git store the head's own history.
 */
export async function verifyStore(blobs: Blobs, opts: StoreVerifyOptions): Promise<Verification> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-verify-'));
  try {
    const keys = await safeKeys(blobs);
    for (const key of keys) {
      const file = path.join(dir, key);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, await blobs.get(key));
    }
    const v = verifyEvidence(dir, { publicKeyPem: opts.publicKeyPem, headRequired: true });
    const headBytes = await headOf(blobs, keys);
    const seen = readSeen(opts.lastSeenFile);
    v.problems.push(...checkRollback(headBytes, v.runs, { where: blobs.describe, seen, atLeast: opts.atLeast }));
    if (seen?.commit && blobs.contains && !(await blobs.contains(seen.commit))) {
      v.problems.push(`HISTORY REWRITTEN: commit ${seen.commit.slice(0, 12)}, where head ${seen.sequence} was seen on ${seen.seenAt}, is no longer in ${blobs.describe} (a forced push replaced the branch)`);
    }
    if (blobs.history) v.problems.push(...headHistory(await blobs.history(HEAD), blobs.describe));
    v.problems = v.problems.map((p) => p.replaceAll(dir, blobs.describe));
    const ok = v.problems.length === 0;
    if (!opts.lastSeenFile && !opts.atLeast) v.notes.push(`a rollback (newer runs deleted and an older signed head put back) is only seen against a head seen before: pass --last-seen FILE (kept between runs) or --expect-at-least N${blobs.history ? '; in this git store the head\'s history is checked too' : ''}`);
    if (ok && opts.lastSeenFile && headBytes) writeSeen(opts.lastSeenFile, headBytes, blobs.describe, blobs.position ? await blobs.position() : undefined);
    return { ...v, ok };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every head the store ever had (a git store's history), each the successor of the one before. */
function headHistory(heads: Array<{ version: string; bytes: Buffer }>, where: string): string[] {
  const problems: string[] = [];
  for (let i = 1; i < heads.length; i++) {
    const before = heads[i - 1] as { version: string; bytes: Buffer };
    const now = heads[i] as { version: string; bytes: Buffer };
    const a = parseHead(before.bytes);
    const b = parseHead(now.bytes);
    if (a.sequence === undefined || b.sequence === undefined) continue; // heads of pgdrill before 0.2
    if (b.sequence !== a.sequence + 1 || b.previousHeadSha256 !== sha256(before.bytes)) {
      problems.push(`HEAD ROLLED BACK in ${where} at ${now.version.slice(0, 12)}: head ${b.sequence} (run ${b.runId}) follows head ${a.sequence} (run ${a.runId})${b.previousHeadSha256 !== sha256(before.bytes) ? ' without naming it as its predecessor' : ''}: an older head was put back`);
    }
  }
  return problems;
}
