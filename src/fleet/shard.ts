// Fleet drills on a scheduler that already exists (a GitHub Actions matrix, a Kubernetes Indexed Job): shard i
// of N runs the drills whose name hashes to i. A hash of the name, not a position in a list, so adding or
// removing a drill never moves the others, and every machine computes the same assignment.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';

export interface Shard {
  /** 1-based, as people count (and as --shard 1/3 reads). */
  index: number;
  of: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const of = Number(m?.[2]);
  if (!m || of < 1 || index < 1 || index > of) {
    throw new UsageError(`--shard ${text} is not a shard; write i/N with 1 <= i <= N, e.g. --shard 2/3`, 'in a Kubernetes Indexed Job: --shard $((JOB_COMPLETION_INDEX + 1))/N');
  }
  return { index, of };
}

/** The shard (1-based) a drill name belongs to among `of`. */
export function shardOf(name: string, of: number): number {
  return (createHash('sha256').update(name).digest().readUInt32BE(0) % of) + 1;
}

/**
 * Each file's drill name, read without validating the rest: a planner or a shard must not need the paths and
 * binaries of drills that run elsewhere. A file without a name is refused (exit 2) like the loader would.
 */
export function drillNames(files: readonly string[]): Array<{ file: string; name: string }> {
  return files.map((file) => {
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`${file}: ${(error as Error).message.split('\n')[0]}`, 'fix the YAML (pgdrill validate shows every problem)');
    }
    const name = (doc as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || !name) throw new UsageError(`${file}: the drill has no name`, 'add name: to the drill file');
    return { file, name };
  });
}


/**
 * pgdrill-shard.json in a shard's output folder, written before its drills run (also when none hashes to it): so
 * pgdrill aggregate can tell a shard that ran nothing from a shard that died before writing anything.
 */
export const SHARD_FILE = 'pgdrill-shard.json';

export function writeShardFile(out: string, shard: Shard, drills: readonly string[]): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, SHARD_FILE), `${JSON.stringify({ kind: 'pgdrill-shard', index: shard.index, of: shard.of, drills, startedAt: new Date().toISOString() }, null, 2)}\n`);
}

export function readShardFile(dir: string): (Shard & { drills: string[] }) | undefined {
  const file = path.join(dir, SHARD_FILE);
  if (!existsSync(file)) return undefined;
  const s = JSON.parse(readFileSync(file, 'utf8')) as { index: number; of: number; drills?: string[] };
  return { index: s.index, of: s.of, drills: s.drills ?? [] };
}

export const shardText = (s: Shard): string => `${s.index}/${s.of}`;
