// `pgdrill evidence prune --keep 400d`: retention that never breaks verification. Runs older than the window are
// removed from an output folder or a store (never the newest), and `pgdrill-pruned.json` records each of them
// with its manifest's hash, when and under which rule, signed like the head; verify then accepts a chain that
// starts at a pruned run, and only that. The head is advanced (its run count changes), so it stays signed too.
import type { Blobs } from './blobs.js';
import { UsageError } from '../../errors.js';
import { HEAD, HEAD_SIGNATURE, nextHead, parseHead } from '../head.js';
import { sha256 } from '../hashing.js';
import { MANIFEST, type Manifest } from '../manifest.js';
import { signatureProblem, signBytes, type Signer } from '../signing.js';

export const PRUNED = 'pgdrill-pruned.json';
export const PRUNED_SIGNATURE = 'pgdrill-pruned.sig';

export interface PrunedRecord {
  kind: 'pgdrill-pruned';
  prunes: Array<{ prunedAt: string; keepSeconds: number; runs: Array<{ runId: string; startedAt: string; manifestSha256: string }> }>;
  signing: { algorithm: 'Ed25519'; publicKeyPem: string; fingerprint: string } | null;
}

export async function prune(blobs: Blobs, opts: { keepMs: number; signer: Signer | undefined; now?: Date }): Promise<{ pruned: string[]; kept: number }> {
  const keys = await blobs.list();
  const runs = [...new Set(keys.filter((k) => k.endsWith(`/${MANIFEST}`)).map((k) => k.split('/')[0] ?? ''))].sort();
  const headBytes = keys.includes(HEAD) ? await blobs.get(HEAD) : null;
  const head = headBytes ? parseHead(headBytes) : null;
  if (head?.signing && !opts.signer) {
    throw new UsageError(`the head of ${blobs.describe} is signed, and pruning rewrites it`, 'pass --signing-key (or PGDRILL_SIGNING_KEY) with the key the runs are signed with');
  }
  const cutoff = (opts.now ?? new Date()).getTime() - opts.keepMs;
  const old: Array<{ runId: string; startedAt: string; manifestSha256: string }> = [];
  for (const run of runs.slice(0, -1)) {
    const bytes = await blobs.get(`${run}/${MANIFEST}`);
    const m = JSON.parse(bytes.toString('utf8')) as Manifest;
    if (Date.parse(m.startedAt) >= cutoff) break; // runs sort by time: the rest are newer
    old.push({ runId: run, startedAt: m.startedAt, manifestSha256: sha256(bytes) });
  }
  if (old.length === 0) return { pruned: [], kept: runs.length };
  const record: PrunedRecord = keys.includes(PRUNED) ? (JSON.parse((await blobs.get(PRUNED)).toString('utf8')) as PrunedRecord) : { kind: 'pgdrill-pruned', prunes: [], signing: null };
  record.prunes.push({ prunedAt: new Date().toISOString(), keepSeconds: opts.keepMs / 1000, runs: old });
  record.signing = opts.signer ? { algorithm: 'Ed25519', publicKeyPem: opts.signer.publicKeyPem, fingerprint: opts.signer.fingerprint } : null;
  const bytes = Buffer.from(`${JSON.stringify(record, null, 2)}\n`);
  // The record first: a prune cut short leaves runs that are both present and recorded, which verifies.
  await blobs.put(PRUNED, bytes);
  if (opts.signer) await blobs.put(PRUNED_SIGNATURE, Buffer.from(`${signBytes(opts.signer, bytes)}\n`));
  const gone = new Set(old.map((o) => o.runId));
  for (const k of keys) if (gone.has(k.split('/')[0] ?? '')) await blobs.remove(k);
  if (head) {
    const next = nextHead(headBytes, { runId: head.runId, manifestSha256: head.manifestSha256 }, runs.length - old.length, opts.signer);
    if (next.signature) await blobs.put(HEAD_SIGNATURE, next.signature);
    await blobs.put(HEAD, next.head);
  }
  await blobs.finish(`pgdrill: pruned ${old.length} run(s) older than ${Math.round(opts.keepMs / 86_400_000)}d`);
  return { pruned: old.map((o) => o.runId), kept: runs.length - old.length };
}

/** A pruned record's runs by id, its signature checked (pinned key when given). Problems when it does not hold. */
export function readPruned(bytes: Buffer | undefined, signature: string | undefined, pinnedPem: string | undefined): { runs: Map<string, string>; problems: string[] } {
  const runs = new Map<string, string>();
  if (!bytes) return { runs, problems: [] };
  let record: PrunedRecord;
  try {
    record = JSON.parse(bytes.toString('utf8')) as PrunedRecord;
  } catch {
    return { runs, problems: [`${PRUNED} is not valid JSON (edited?)`] };
  }
  const signed = signatureProblem(PRUNED, record.signing, bytes, signature, pinnedPem);
  const problems = signed ? [signed] : [];
  for (const p of record.prunes) for (const r of p.runs) runs.set(r.runId, r.manifestSha256);
  return { runs, problems };
}

export function keepMs(text: string, parse: (t: string) => number | undefined): number {
  const ms = parse(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`--keep ${text} is not a duration`, 'e.g. --keep 400d (runs that started longer ago are pruned; the newest is always kept)');
  return ms;
}
