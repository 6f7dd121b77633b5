// evidence/manifest.json of a run folder: who ran what, when, with which drill files and tools, and the SHA-256
// of every file of the run. Each manifest records the SHA-256 of the previous run's manifest in the same output
// folder (a hash chain: a deleted or replaced run breaks it); with a signing key it is signed (Ed25519).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AnyDrill } from '../drill/drill.js';
import type { DrillResult } from '../model/result-schema.js';
import { PGDRILL_VERSION } from '../version.js';
import { runContext, type RunContext } from './ci-context.js';
import { listFiles, sha256, sha256File } from './hashing.js';
import { signBytes, type Signer } from './signing.js';

export const EVIDENCE_DIR = 'evidence';
export const MANIFEST = `${EVIDENCE_DIR}/manifest.json`;
export const SIGNATURE = `${EVIDENCE_DIR}/manifest.sig`;

export interface Manifest {
  schemaVersion: 1;
  kind: 'pgdrill-evidence';
  runId: string;
  startedAt: string;
  endedAt: string;
  ranBy: RunContext;
  pgdrillVersion: string;
  drills: Array<{ name: string; file: string; sha256: string; content: string }>;
  /** The objective policies the drills were judged against (objectives: { from }), each once. */
  policies?: Array<{ name: string; file: string; sha256: string; content: string }>;
  results: Array<{
    drill: string;
    status: string;
    verdict: string;
    rtoSeconds: number | null;
    rpoSeconds: number | null;
    objectives: { rtoSeconds: number; rpoSeconds: number; validateEverySeconds?: number | undefined };
    /** The SHA-256 of the drill file as run. */
    drillSha256?: string;
    /** A drill of an existing backup: which backup was restored. */
    backup?: { kind: string; location: string; label: string; stopTime?: string };
  }>;
  environment: Array<{ drill: string; provider: string; postgresVersion: string; backupMethod: string; toolVersions: Record<string, string>; settings: Record<string, string>; host: string; platform: string; node: string; image?: { name: string; id?: string | undefined } }>;
  commands: Array<{ drill: string; label: string; command: string; exitCode: number | null }>;
  files: Array<{ path: string; sha256: string; bytes: number }>;
  previous: { runId: string; manifestSha256: string } | null;
  /** The output folder keeps pgdrill-head.json (pgdrill 0.2 on): its absence beside this run is a deletion. */
  keepsHead?: boolean;
  signing: { algorithm: 'Ed25519'; publicKeyPem: string; fingerprint: string } | null;
}

/** The newest run before this one in the same output folder that has a manifest (run ids sort by time). */
export function previousManifest(outDir: string, runId: string): { runId: string; manifestSha256: string } | null {
  if (!existsSync(outDir)) return null;
  const earlier = readdirSync(outDir)
    .filter((d) => d < runId && existsSync(path.join(outDir, d, MANIFEST)) && statSync(path.join(outDir, d)).isDirectory())
    .sort();
  const prev = earlier.at(-1);
  return prev ? { runId: prev, manifestSha256: sha256File(path.join(outDir, prev, MANIFEST)) } : null;
}

export function writeManifest(
  runDir: string,
  input: { runId: string; startedAt: string; endedAt: string; drills: ReadonlyArray<Pick<AnyDrill, 'name' | 'file' | 'text' | 'policy'>>; results: DrillResult[]; signer: Signer | undefined },
): { manifestFile: string; signed: boolean } {
  const files = listFiles(runDir)
    .filter((f) => f !== MANIFEST && f !== SIGNATURE)
    .map((f) => ({ path: f, sha256: sha256File(path.join(runDir, f)), bytes: statSync(path.join(runDir, f)).size }));
  const manifest: Manifest = {
    schemaVersion: 1,
    kind: 'pgdrill-evidence',
    runId: input.runId,
    startedAt: input.startedAt,
    endedAt: input.endedAt,
    ranBy: runContext(),
    pgdrillVersion: PGDRILL_VERSION,
    drills: input.drills.map((d) => ({ name: d.name, file: d.file, sha256: sha256(d.text), content: d.text })),
    policies: [...new Map(input.drills.flatMap((d) => (d.policy ? [[d.policy.file, { name: d.policy.name, file: d.policy.file, sha256: d.policy.sha256, content: d.policy.text }] as const] : []))).values()],
    results: input.results.map((r) => ({
      drill: r.drill.name,
      status: r.status,
      verdict: r.verdict,
      rtoSeconds: r.measured.rtoSeconds,
      rpoSeconds: r.measured.rpoSeconds,
      objectives: r.objectives,
      drillSha256: r.drill.sha256,
      ...(r.source ? { backup: { kind: r.source.kind, location: r.source.location, label: r.source.label, ...(r.source.stopTime ? { stopTime: r.source.stopTime } : {}) } } : {}),
    })),
    environment: input.results.map((r) => ({
      drill: r.drill.name,
      provider: r.environment.provider,
      postgresVersion: r.environment.postgresVersion,
      backupMethod: r.environment.backupMethod,
      toolVersions: r.environment.toolVersions,
      settings: r.environment.settings,
      host: r.environment.host,
      platform: r.environment.platform,
      node: r.environment.node,
      ...(r.environment.image ? { image: r.environment.image } : {}),
    })),
    commands: input.results.flatMap((r) => r.commands.map((c) => ({ drill: r.drill.name, label: c.label, command: c.command, exitCode: c.exitCode }))),
    files,
    previous: previousManifest(path.dirname(runDir), input.runId),
    keepsHead: true,
    signing: input.signer ? { algorithm: 'Ed25519', publicKeyPem: input.signer.publicKeyPem, fingerprint: input.signer.fingerprint } : null,
  };
  mkdirSync(path.join(runDir, EVIDENCE_DIR), { recursive: true });
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const manifestFile = path.join(runDir, MANIFEST);
  writeFileSync(manifestFile, bytes);
  if (input.signer) writeFileSync(path.join(runDir, SIGNATURE), `${signBytes(input.signer, bytes)}\n`);
  return { manifestFile, signed: Boolean(input.signer) };
}

export function readManifest(runDir: string): Manifest {
  return JSON.parse(readFileSync(path.join(runDir, MANIFEST), 'utf8')) as Manifest;
}
