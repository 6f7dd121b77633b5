// The rules of an evidence store, over any Blobs: `pull` brings what the history page, the reports and the
// chain need into an output folder (never the logs); `push` adds the runs the store does not have, refusing a
// run whose chain does not continue from the store's newest run and never rewriting one; then it writes a
// signed head naming the newest run and its manifest's hash, so deleting or replacing the newest run (which no
// successor links to) is detected too. `verifyStore` checks every run, the chain and the head.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { listFiles, sha256 } from '../hashing.js';
import { MANIFEST, type Manifest } from '../manifest.js';
import { publicKeyFingerprint, signBytes, verifyBytes, type Signer } from '../signing.js';
import { isRunFolder, verifyEvidence, type Verification } from '../verify-evidence.js';
import type { Blobs } from './blobs.js';
import { readPullRecord, writePullRecord } from './pull-record.js';

export const HEAD = 'pgdrill-head.json';
export const HEAD_SIGNATURE = 'pgdrill-head.sig';
export interface Head {
  kind: 'pgdrill-evidence-head';
  runId: string;
  manifestSha256: string;
  runs: number;
  updatedAt: string;
  signing: { algorithm: 'Ed25519'; publicKeyPem: string; fingerprint: string } | null;
}

/** A run's files a pull brings: summary, results, reports, comparison, the manifest and its signature. */
const PULLED = /^[^/]+\/(summary\.json|index\.html|comparison\.(json|html|md)|evidence\/manifest\.(json|sig)|[^/]+\/(result\.json|report\.html))$/;

const runOf = (key: string) => key.split('/')[0] ?? '';

export async function pull(blobs: Blobs, outDir: string): Promise<{ runs: string[]; files: number; head: Head | null }> {
  const keys = await blobs.list();
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
  const head = keys.includes(HEAD) ? (JSON.parse((await blobs.get(HEAD)).toString('utf8')) as Head) : null;
  writePullRecord(outDir, { store: blobs.describe, pulledAt: new Date().toISOString(), omitted: { ...pulledBefore, ...omitted } });
  return { runs, files, head };
}

export async function push(blobs: Blobs, outDir: string, signer: Signer | undefined): Promise<{ pushed: string[]; head: Head | null }> {
  const keys = await blobs.list();
  const stored = new Set(keys.filter((k) => k.includes('/')).map(runOf));
  const head = keys.includes(HEAD) ? (JSON.parse((await blobs.get(HEAD)).toString('utf8')) as Head) : null;
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
  const newest = previous!;
  const next: Head = {
    kind: 'pgdrill-evidence-head',
    runId: newest.runId,
    manifestSha256: newest.manifestSha256,
    runs: stored.size + fresh.length,
    updatedAt: new Date().toISOString(),
    signing: signer ? { algorithm: 'Ed25519', publicKeyPem: signer.publicKeyPem, fingerprint: signer.fingerprint } : null,
  };
  const bytes = Buffer.from(`${JSON.stringify(next, null, 2)}\n`);
  if (signer) await blobs.put(HEAD_SIGNATURE, Buffer.from(`${signBytes(signer, bytes)}\n`));
  else if (keys.includes(HEAD_SIGNATURE)) await blobs.remove(HEAD_SIGNATURE);
  await blobs.put(HEAD, bytes);
  await blobs.finish(`pgdrill: ${fresh.join(', ')}`);
  return { pushed: fresh, head: next };
}

/** Every run of the store (downloaded whole), the chain between them, and the head against the newest run. */
export async function verifyStore(blobs: Blobs, opts: { publicKeyPem?: string | undefined }): Promise<Verification> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-verify-'));
  try {
    const keys = await blobs.list();
    for (const key of keys) {
      const file = path.join(dir, key);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, await blobs.get(key));
    }
    const v = verifyEvidence(dir, opts);
    v.problems.push(...checkHead(dir, v.runs, keys, opts.publicKeyPem, v.notes));
    v.problems = v.problems.map((p) => p.replaceAll(dir, blobs.describe));
    return { ...v, ok: v.problems.length === 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function checkHead(dir: string, runs: string[], keys: string[], pinnedPem: string | undefined, notes: string[]): string[] {
  if (!keys.includes(HEAD)) return runs.length > 0 ? [`NO HEAD: the store has ${runs.length} run(s) but no ${HEAD}, so deleting or replacing its newest run would go unnoticed (push with pgdrill evidence push)`] : [];
  const bytes = readFileSync(path.join(dir, HEAD));
  const head = JSON.parse(bytes.toString('utf8')) as Head;
  const problems: string[] = [];
  if (head.signing) {
    const sigFile = path.join(dir, HEAD_SIGNATURE);
    const pinned = pinnedPem ? publicKeyFingerprint(pinnedPem) : undefined;
    if (!existsSync(sigFile)) problems.push(`HEAD: it says it is signed, but ${HEAD_SIGNATURE} is missing`);
    else if (pinned && head.signing.fingerprint !== pinned) problems.push(`HEAD SIGNED WITH ANOTHER KEY (${head.signing.fingerprint}, expected ${pinned})`);
    else if (!verifyBytes(pinnedPem ?? head.signing.publicKeyPem, bytes, readFileSync(sigFile, 'utf8').trim())) problems.push(`HEAD: BAD SIGNATURE: ${HEAD} was changed after it was signed`);
  } else if (pinnedPem) {
    problems.push(`HEAD NOT SIGNED, but a public key was given`);
  }
  const newest = runs.at(-1);
  if (!runs.includes(head.runId)) {
    problems.push(`NEWEST RUN DELETED: the head names run ${head.runId} (manifest ${head.manifestSha256.slice(0, 12)}…), which is not in the store${newest ? `; the newest run there is ${newest}` : ''}`);
  } else {
    const actual = sha256(readFileSync(path.join(dir, head.runId, MANIFEST)));
    if (actual !== head.manifestSha256) problems.push(`NEWEST RUN REPLACED: run ${head.runId}'s manifest is ${actual.slice(0, 12)}…, the head recorded ${head.manifestSha256.slice(0, 12)}…`);
    if (newest !== head.runId) problems.push(`RUN ADDED AFTER THE HEAD: ${newest} is newer than the head's run ${head.runId} (written into the store without pgdrill evidence push)`);
  }
  if (head.runs !== runs.length) problems.push(`RUN COUNT: the head counted ${head.runs} run(s), the store holds ${runs.length}`);
  notes.push(`head: newest run ${head.runId}, ${head.runs} run(s), updated ${head.updatedAt}${head.signing ? `, signed by ${head.signing.fingerprint}` : ', unsigned'}`);
  return problems;
}
