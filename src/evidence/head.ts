// pgdrill-head.json of an output folder or an evidence store: the newest run and its manifest's hash, a sequence
// number that grows by one with every head, and the hash of the head before it, signed with the runs' key. The
// chain between runs cannot see its own end; the head can: a deleted or replaced newest run no longer matches
// it. An old head put back with its valid signature (a rollback) is seen against the highest head a verifier
// has seen before (--last-seen FILE, --expect-at-least N) and, in a git store, against the head's own history.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from './hashing.js';
import { MANIFEST } from './manifest.js';
import { signatureProblem, signBytes, type Signer } from './signing.js';

export const HEAD = 'pgdrill-head.json';
export const HEAD_SIGNATURE = 'pgdrill-head.sig';

export interface Head {
  kind: 'pgdrill-evidence-head';
  runId: string;
  manifestSha256: string;
  runs: number;
  /** 1 for the first head, one more for each after it (absent in heads of pgdrill before 0.2: read as 0). */
  sequence?: number;
  /** SHA-256 of the bytes of the head this one replaced; null for the first. */
  previousHeadSha256?: string | null;
  updatedAt: string;
  signing: { algorithm: 'Ed25519'; publicKeyPem: string; fingerprint: string } | null;
}

/** The highest head a verifier has seen (--last-seen FILE): a later head may only be newer. */
export interface SeenHead {
  kind: 'pgdrill-last-seen-head';
  where: string;
  sequence: number;
  headSha256: string;
  runId: string;
  seenAt: string;
  /** A git store: the commit the head was read at, which every later state of the branch must contain. */
  commit?: string;
}

export const sequenceOf = (h: Head): number => h.sequence ?? 0;

export function parseHead(bytes: Buffer): Head {
  return JSON.parse(bytes.toString('utf8')) as Head;
}

/** The head that follows `previous` (the bytes of the current head, or null) once `runId` is the newest run. */
export function nextHead(previous: Buffer | null, newest: { runId: string; manifestSha256: string }, runs: number, signer: Signer | undefined): { head: Buffer; signature: Buffer | null } {
  const prior = previous ? parseHead(previous) : null;
  const head: Head = {
    kind: 'pgdrill-evidence-head',
    runId: newest.runId,
    manifestSha256: newest.manifestSha256,
    runs,
    sequence: (prior ? sequenceOf(prior) : 0) + 1,
    previousHeadSha256: previous ? sha256(previous) : null,
    updatedAt: new Date().toISOString(),
    signing: signer ? { algorithm: 'Ed25519', publicKeyPem: signer.publicKeyPem, fingerprint: signer.fingerprint } : null,
  };
  const bytes = Buffer.from(`${JSON.stringify(head, null, 2)}\n`);
  return { head: bytes, signature: signer ? Buffer.from(`${signBytes(signer, bytes)}\n`) : null };
}

/** Advances the head of an output folder after a run wrote its manifest there. */
export function advanceFolderHead(outDir: string, runId: string, runs: number, signer: Signer | undefined): void {
  const file = path.join(outDir, HEAD);
  const { head, signature } = nextHead(existsSync(file) ? readFileSync(file) : null, { runId, manifestSha256: sha256(readFileSync(path.join(outDir, runId, MANIFEST))) }, runs, signer);
  if (signature) writeFileSync(path.join(outDir, HEAD_SIGNATURE), signature);
  else rmSync(path.join(outDir, HEAD_SIGNATURE), { force: true });
  writeFileSync(file, head);
}

/**
 * The head of a folder of runs (an output folder, or a store downloaded whole) against its runs. `required`: a
 * run's manifest says a head was kept, so a missing head was deleted.
 */
export function checkHead(dir: string, runs: string[], opts: { pinnedPem?: string | undefined; required: boolean; notes: string[] }): string[] {
  const file = path.join(dir, HEAD);
  if (!existsSync(file)) {
    if (opts.required) return [`HEAD DELETED: the runs say ${HEAD} was kept here, and it is missing, so a deleted or replaced newest run cannot be ruled out`];
    if (runs.length > 0) opts.notes.push(`no ${HEAD} (runs of pgdrill before 0.2): deleting the newest run would go unnoticed here`);
    return [];
  }
  const bytes = readFileSync(file);
  const head = parseHead(bytes);
  const problems: string[] = [];
  const sigFile = path.join(dir, HEAD_SIGNATURE);
  const signed = signatureProblem('HEAD', head.signing, bytes, existsSync(sigFile) ? readFileSync(sigFile, 'utf8').trim() || undefined : undefined, opts.pinnedPem);
  if (signed) problems.push(signed);
  const newest = runs.at(-1);
  if (!runs.includes(head.runId)) {
    problems.push(`NEWEST RUN DELETED: the head names run ${head.runId} (manifest ${head.manifestSha256.slice(0, 12)}…), which is not here${newest ? `; the newest run here is ${newest}` : ''}`);
  } else {
    const actual = sha256(readFileSync(path.join(dir, head.runId, MANIFEST)));
    if (actual !== head.manifestSha256) problems.push(`NEWEST RUN REPLACED: run ${head.runId}'s manifest is ${actual.slice(0, 12)}…, the head recorded ${head.manifestSha256.slice(0, 12)}…`);
    if (newest !== head.runId) problems.push(`RUN ADDED AFTER THE HEAD: ${newest} is newer than the head's run ${head.runId} (written without pgdrill)`);
  }
  if (head.runs !== runs.length) problems.push(`RUN COUNT: the head counted ${head.runs} run(s), ${runs.length} are here`);
  opts.notes.push(`head ${sequenceOf(head)}: newest run ${head.runId}, ${head.runs} run(s), updated ${head.updatedAt}${head.signing ? `, signed by ${head.signing.fingerprint}` : ', unsigned'}`);
  return problems;
}

/**
 * A head against what the verifier saw before: never a lower sequence, never another head at the same one,
 * and the run the last one named still there. Returns the problems and the head to remember when all holds.
 */
export function checkRollback(bytes: Buffer | null, runs: string[], opts: { where: string; seen?: SeenHead | undefined; atLeast?: number | undefined }): string[] {
  const problems: string[] = [];
  const head = bytes ? parseHead(bytes) : null;
  const sequence = head ? sequenceOf(head) : 0;
  if (opts.atLeast !== undefined && sequence < opts.atLeast) {
    problems.push(`HEAD ROLLED BACK: ${opts.where} is at head ${sequence}${head ? ` (run ${head.runId})` : ' (no head)'}, and at least ${opts.atLeast} was expected (--expect-at-least): newer runs were deleted and an older head put back`);
  }
  const seen = opts.seen;
  if (seen && bytes) {
    if (sequence < seen.sequence) problems.push(`HEAD ROLLED BACK: ${opts.where} is at head ${sequence} (run ${head?.runId}), but head ${seen.sequence} (run ${seen.runId}) was seen on ${seen.seenAt}: newer runs were deleted and an older head put back`);
    else if (sequence === seen.sequence && sha256(bytes) !== seen.headSha256) problems.push(`HEAD REPLACED: head ${sequence} of ${opts.where} is not the one seen on ${seen.seenAt} (${seen.headSha256.slice(0, 12)}…)`);
    if (!runs.includes(seen.runId)) problems.push(`RUN DELETED: run ${seen.runId}, the newest on ${seen.seenAt}, is not in ${opts.where}`);
  } else if (seen && !bytes) {
    problems.push(`HEAD DELETED: ${opts.where} has no head, but head ${seen.sequence} (run ${seen.runId}) was seen on ${seen.seenAt}`);
  }
  return problems;
}

export function readSeen(file: string | undefined): SeenHead | undefined {
  return file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SeenHead) : undefined;
}

export function writeSeen(file: string, bytes: Buffer, where: string, commit?: string): void {
  const head = parseHead(bytes);
  const seen: SeenHead = { kind: 'pgdrill-last-seen-head', where, sequence: sequenceOf(head), headSha256: sha256(bytes), runId: head.runId, seenAt: new Date().toISOString(), ...(commit ? { commit } : {}) };
  writeFileSync(file, `${JSON.stringify(seen, null, 2)}\n`);
}
