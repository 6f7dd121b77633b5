// `pgdrill evidence verify`: every hash of every run, the hash chain between runs, and the signatures. Each
// problem names the file or run; the verdict holds only when nothing is wrong.
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { listEntries, sha256File } from './hashing.js';
import { checkHead, checkRollback, HEAD, readSeen, writeSeen } from './head.js';
import { MANIFEST, SIGNATURE, type Manifest } from './manifest.js';
import { checkShards } from './verify-shards.js';
import { publicKeyFingerprint, verifyBytes } from './signing.js';
import { PRUNED, PRUNED_SIGNATURE, readPruned } from './store/prune.js';
import { readPullRecord } from './store/pull-record.js';

export const EXPORT_FILE = 'EXPORT.json';

export interface Verification {
  ok: boolean;
  runs: string[];
  problems: string[];
  notes: string[];
}

/** Verifies one run folder (a folder with evidence/manifest.json) or an output folder of runs. */
export function verifyEvidence(target: string, opts: { publicKeyPem?: string | undefined; headRequired?: boolean } = {}): Verification {
  const problems: string[] = [];
  const notes: string[] = [];
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    return { ok: false, runs: [], problems: [`${target} is not a folder`], notes };
  }
  const isRun = existsSync(path.join(target, MANIFEST));
  const outDir = isRun ? path.dirname(target) : target;
  const runs = isRun
    ? [path.basename(target)]
    : readdirSync(outDir)
        .filter((d) => isRunFolder(path.join(outDir, d)))
        .sort();
  if (runs.length === 0) problems.push(`no pgdrill run folders in ${outDir}`);
  const pinned = opts.publicKeyPem ? publicKeyFingerprint(opts.publicKeyPem) : undefined;
  // Runs pulled from an evidence store carry only what the history needs; the rest is checked in the store.
  const pulled = readPullRecord(outDir);

  let previous: { runId: string; sha: string } | undefined;
  let keepsHead = false;
  for (const run of runs) {
    const runDir = path.join(outDir, run);
    const manifestFile = path.join(runDir, MANIFEST);
    if (!existsSync(manifestFile)) {
      problems.push(`${run}: evidence/manifest.json is missing`);
      previous = undefined;
      continue;
    }
    const bytes = readFileSync(manifestFile);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
    } catch {
      problems.push(`${run}: evidence/manifest.json is not valid JSON (edited?)`);
      previous = undefined;
      continue;
    }
    const sha = sha256File(manifestFile);
    keepsHead ||= manifest.keepsHead === true;
    problems.push(...checkShards(run, runDir, manifest, opts.publicKeyPem));
    const partial = pulled?.omitted[run] !== undefined ? pulled : undefined;
    problems.push(...checkFiles(run, runDir, manifest, partial ? (n) => notes.push(`${run}: pulled from ${partial.store}; ${n} file(s) (logs) are checked in the store only (pgdrill evidence verify --store)`) : undefined), ...checkSignature(run, runDir, bytes, manifest, opts.publicKeyPem, pinned, notes));
    if (manifest.runId !== run) problems.push(`${run}: the manifest belongs to run ${manifest.runId} (folder renamed or replaced)`);
    if (!isRun) {
      if (previous) {
        if (manifest.previous?.manifestSha256 !== previous.sha) {
          problems.push(
            `CHAIN BREAK at ${run}: it records previous run ${manifest.previous?.runId ?? '(none)'} with manifest ${short(manifest.previous?.manifestSha256)}, ` +
              `but the run before it here is ${previous.runId} with manifest ${short(previous.sha)}: a run was deleted, added or its manifest replaced`,
          );
        }
      } else {
        problems.push(...checkChainStart(run, manifest, outDir, notes, opts.publicKeyPem));
      }
    }
    previous = { runId: run, sha };
  }
  if (isRun) notes.push('one run verified alone: pass the output folder to check the chain between runs too');
  else if (existsSync(path.join(outDir, EXPORT_FILE))) notes.push(`an export of a period: its newest run is checked by the chain only (the head stays with the output folder or the store)`);
  else problems.push(...checkHead(outDir, runs, { pinnedPem: opts.publicKeyPem, required: keepsHead || (opts.headRequired === true && runs.length > 0), notes }));
  return { ok: problems.length === 0, runs, problems, notes };
}

/**
 * An output folder as `evidence verify <folder>` checks it: everything above, and its head against the highest
 * one seen before (--last-seen FILE, rewritten when all holds; --expect-at-least N): a rollback.
 */
export function verifyOutputFolder(folder: string, opts: { publicKeyPem?: string | undefined; lastSeenFile?: string | undefined; atLeast?: number | undefined }): Verification {
  const v = verifyEvidence(folder, { publicKeyPem: opts.publicKeyPem });
  if (!opts.lastSeenFile && opts.atLeast === undefined) return v;
  const headFile = path.join(folder, HEAD);
  const bytes = existsSync(headFile) ? readFileSync(headFile) : null;
  v.problems.push(...checkRollback(bytes, v.runs, { where: folder, seen: readSeen(opts.lastSeenFile), atLeast: opts.atLeast }));
  const ok = v.problems.length === 0;
  if (ok && opts.lastSeenFile && bytes) writeSeen(opts.lastSeenFile, bytes, path.resolve(folder));
  return { ...v, ok };
}

function checkFiles(run: string, runDir: string, manifest: Manifest, onlyInStore?: (missing: number) => void): string[] {
  const problems: string[] = [];
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const entries = listEntries(runDir);
  for (const link of entries.links) {
    let to = '';
    try {
      to = ` -> ${readlinkSync(path.join(runDir, link))}`;
    } catch {
      // unreadable link: named all the same
    }
    problems.push(`${run}: LINK ${link}${to} (a symbolic link is not evidence: pgdrill never writes one into a run)`);
  }
  const present = entries.files.filter((f) => f !== MANIFEST && f !== SIGNATURE);
  for (const f of present) {
    const entry = listed.get(f);
    if (!entry) {
      problems.push(`${run}: ADDED ${f} (not in the manifest)`);
      continue;
    }
    const actual = sha256File(path.join(runDir, f));
    if (actual !== entry.sha256) problems.push(`${run}: MODIFIED ${f} (sha256 ${short(entry.sha256)} in the manifest, ${short(actual)} now)`);
  }
  const presentSet = new Set(present);
  const missing = [...listed.keys()].filter((f) => !presentSet.has(f));
  if (onlyInStore) {
    if (missing.length > 0) onlyInStore(missing.length);
  } else {
    for (const f of missing) problems.push(`${run}: REMOVED ${f}`);
  }
  return problems;
}

function checkSignature(run: string, runDir: string, bytes: Buffer, manifest: Manifest, pinnedPem: string | undefined, pinned: string | undefined, notes: string[]): string[] {
  const sigFile = path.join(runDir, SIGNATURE);
  if (!manifest.signing) {
    if (existsSync(sigFile)) return [`${run}: a signature exists but the manifest names no signing key (manifest replaced?)`];
    return pinned ? [`${run}: NOT SIGNED, but a public key was given: every run was expected to be signed`] : [];
  }
  if (!existsSync(sigFile)) return [`${run}: the manifest says it is signed, but evidence/manifest.sig is missing`];
  const signature = readFileSync(sigFile, 'utf8').trim();
  if (pinned && manifest.signing.fingerprint !== pinned) {
    return [`${run}: SIGNED WITH ANOTHER KEY (${manifest.signing.fingerprint}, expected ${pinned})`];
  }
  const key = pinnedPem ?? manifest.signing.publicKeyPem;
  if (!verifyBytes(key, bytes, signature)) return [`${run}: BAD SIGNATURE: evidence/manifest.json was changed after it was signed`];
  if (!pinned) notes.push(`${run}: signature valid for the key the manifest carries (${manifest.signing.fingerprint}); pass --public-key to pin the key you trust`);
  return [];
}

function checkChainStart(run: string, manifest: Manifest, outDir: string, notes: string[], pinnedPem: string | undefined): string[] {
  const exportFile = path.join(outDir, EXPORT_FILE);
  if (existsSync(exportFile)) {
    const exp = JSON.parse(readFileSync(exportFile, 'utf8')) as { chainStart: { runId: string; manifestSha256: string } | null };
    if ((exp.chainStart?.manifestSha256 ?? null) !== (manifest.previous?.manifestSha256 ?? null)) {
      return [`CHAIN BREAK at ${run}: the export says the chain continues from ${short(exp.chainStart?.manifestSha256)}, the run records ${short(manifest.previous?.manifestSha256)}`];
    }
    if (manifest.previous) notes.push(`chain starts at ${run}; its predecessor ${manifest.previous.runId} is outside this export (${EXPORT_FILE})`);
    return [];
  }
  if (manifest.previous) {
    const file = path.join(outDir, PRUNED);
    const sig = path.join(outDir, PRUNED_SIGNATURE);
    const pruned = readPruned(existsSync(file) ? readFileSync(file) : undefined, existsSync(sig) ? readFileSync(sig, 'utf8').trim() : undefined, pinnedPem);
    if (pruned.problems.length > 0) return pruned.problems;
    if (pruned.runs.get(manifest.previous.runId) === manifest.previous.manifestSha256) {
      notes.push(`chain starts at ${run}; its predecessor ${manifest.previous.runId} was pruned (recorded with its manifest's hash in ${PRUNED})`);
      return [];
    }
    return [`CHAIN BREAK at ${run}: it records previous run ${manifest.previous.runId} (${short(manifest.previous.manifestSha256)}), which is not in this folder${pruned.runs.size ? ` and not among the runs ${PRUNED} records` : ''}: the first runs were deleted`];
  }
  return [];
}

function short(sha: string | undefined): string {
  return sha ? `${sha.slice(0, 12)}…` : '(none)';
}

/** A folder pgdrill wrote for one run (run or compare). */
export function isRunFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && ['summary.json', 'comparison.json', MANIFEST].some((f) => existsSync(path.join(dir, f)));
  } catch {
    return false; // a dangling link at the top: not a run (and not followed)
  }
}
