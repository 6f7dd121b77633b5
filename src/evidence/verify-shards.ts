// The shards inside a merged run (pgdrill aggregate): each shard machine's own manifest and signature are kept
// under evidence/shards/, and every drill folder taken from a shard must still be what that shard signed. So an
// aggregate made from a shard changed after it ran cannot pass for evidence, whoever signed the merge.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sha256File } from './hashing.js';
import type { Manifest } from './manifest.js';
import { signatureProblem } from './signing.js';

export const SHARDS_DIR = 'evidence/shards';

/** The shard's signature (pinned key when given) and, for each drill folder taken from it, every file's hash. */
export function checkShards(run: string, runDir: string, manifest: Manifest, pinnedPem: string | undefined): string[] {
  const dir = path.join(runDir, SHARDS_DIR);
  if (!existsSync(dir)) return [];
  const taken = takenFrom(runDir);
  const problems: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.manifest.json')).sort()) {
    const shardId = file.replace(/\.manifest\.json$/, '');
    const bytes = readFileSync(path.join(dir, file));
    const shard = JSON.parse(bytes.toString('utf8')) as Manifest;
    const sigFile = path.join(dir, `${shardId}.manifest.sig`);
    const signed = signatureProblem(`${run}: shard ${shardId}`, shard.signing, bytes, existsSync(sigFile) ? readFileSync(sigFile, 'utf8').trim() : undefined, pinnedPem);
    if (signed) problems.push(signed);
    const slugs = taken.get(shardId) ?? [];
    for (const entry of shard.files.filter((f) => slugs.includes(f.path.split('/')[0] ?? ''))) {
      const here = path.join(runDir, entry.path);
      if (!existsSync(here)) problems.push(`${run}: shard ${shardId}: ${entry.path} it signed is not in the merged run`);
      else if (sha256File(here) !== entry.sha256) problems.push(`${run}: shard ${shardId}: MODIFIED ${entry.path} (the merged copy is not what the shard signed)`);
    }
    for (const slug of slugs) if (!shard.files.some((f) => f.path.startsWith(`${slug}/`))) problems.push(`${run}: shard ${shardId}: drill folder ${slug} is attributed to it, and its manifest has no such folder`);
  }
  return problems;
}

/** Which drill folders of the merged run came from which shard (the summary's fromShard). */
function takenFrom(runDir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const file = path.join(runDir, 'summary.json');
  if (!existsSync(file)) return out;
  const summary = JSON.parse(readFileSync(file, 'utf8')) as { drills?: Array<{ result: string; fromShard?: string }> };
  for (const d of summary.drills ?? []) {
    if (!d.fromShard) continue;
    out.set(d.fromShard, [...(out.get(d.fromShard) ?? []), path.basename(path.dirname(d.result))]);
  }
  return out;
}
