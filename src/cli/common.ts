// What several commands share, written once: where human output goes, the signal handling around a command that
// starts things, the work folder, the signing key, and the evidence store pulled before and pushed after a run.
import path from 'node:path';
import os from 'node:os';
import type { Signer } from '../evidence/signing.js';
import { installSignalHandlers } from './signals.js';

/** Human progress and messages: stderr (stdout is for --json). */
export const stderr = { write: (t: string): void => void process.stderr.write(t), isTTY: process.stderr.isTTY };

/** Runs `work` with the first SIGINT/SIGTERM aborting it (a second forces, signals.ts). */
export async function withSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const uninstall = installSignalHandlers(controller, (t) => process.stderr.write(t));
  try {
    return await work(controller.signal);
  } finally {
    uninstall();
  }
}

/** The parent of disposable work folders: --work-dir, PGDRILL_WORK_DIR, else undefined (the OS temp folder). */
export function workRoot(flag: string | undefined): string | undefined {
  const dir = flag ?? process.env['PGDRILL_WORK_DIR'];
  return dir ? path.resolve(dir) : undefined;
}

/** The same, when a command needs the folder itself (cleanup). */
export function workRootOrTemp(flag: string | undefined): string {
  return workRoot(flag) ?? os.tmpdir();
}

/** The evidence signing key: --signing-key or PGDRILL_SIGNING_KEY; none means unsigned (still hashed and chained). */
export async function signerFrom(flag: string | undefined): Promise<Signer | undefined> {
  const { loadSigner } = await import('../evidence/signing.js');
  return loadSigner(flag);
}

/** An evidence store named by --store or PGDRILL_EVIDENCE_STORE: pulled into the output folder before, pushed after. */
export async function evidenceStore(flag: string | undefined, out: string, signer: Signer | undefined): Promise<{ pull(): Promise<void>; push(): Promise<void> } | undefined> {
  const store = flag ?? process.env['PGDRILL_EVIDENCE_STORE'];
  if (!store) return undefined;
  const ops = await import('../evidence/store/store-commands.js');
  return {
    pull: async () => {
      const p = await ops.pullFromStore(store, out);
      stderr.write(`evidence store ${p.store}: ${p.runs.length} earlier run(s) pulled (${p.files} files; logs stay in the store)\n`);
    },
    // Evidence of a failed drill matters as much as of a passed one: pushed whatever the verdict.
    push: async () => {
      const p = await ops.pushToStore(store, out, signer);
      stderr.write(`evidence store ${p.store}: ${p.pushed.join(', ') || 'nothing new'} pushed; head ${p.head?.runId ?? 'none'}\n`);
    },
  };
}

/** The first `max` lines of a text, indented, and how many more there are. */
export function indentLines(text: string, max: number): string {
  const lines = text.split('\n');
  const shown = lines.slice(0, max).map((l) => `  ${l}`);
  if (lines.length > max) shown.push(`  ... (${lines.length - max} more lines in the report)`);
  return shown.join('\n');
}
