// The store operations as the CLI calls them (pgdrill evidence pull | push | verify --store, and run --store):
// open the store a spec names, do one thing, always close it.
import type { Signer } from '../signing.js';
import type { Verification } from '../verify-evidence.js';
import type { Blobs } from './blobs.js';
import { openBlobs } from './open-blobs.js';
import { pull, push, verifyStore, type Head, type StoreVerifyOptions } from './evidence-store.js';

async function withStore<T>(spec: string, fn: (blobs: Blobs) => Promise<T>): Promise<T> {
  const blobs = await openBlobs(spec);
  try {
    return await fn(blobs);
  } finally {
    await blobs.close();
  }
}

export function pullFromStore(spec: string, outDir: string): Promise<{ store: string; runs: string[]; files: number; head: Head | null }> {
  return withStore(spec, async (b) => ({ store: b.describe, ...(await pull(b, outDir)) }));
}

export function pushToStore(spec: string, outDir: string, signer: Signer | undefined): Promise<{ store: string; pushed: string[]; head: Head | null }> {
  return withStore(spec, async (b) => ({ store: b.describe, ...(await push(b, outDir, signer)) }));
}

export function verifyInStore(spec: string, opts: StoreVerifyOptions): Promise<Verification & { store: string }> {
  return withStore(spec, async (b) => ({ store: b.describe, ...(await verifyStore(b, opts)) }));
}
