// Objectives as a documented policy: `objectives: { from: ../policy/tier1.yaml }` takes rto, rpo, maxBackupAge
// and validateEvery from a shared file with a name and an owner, so fifty drills of one tier are judged against
// one written promise, and the report names it. The policy file is validated like a drill file (file:line, the
// fix) and its exact text travels with the result (its SHA-256) and the evidence (its content).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import type { ConfigProblem } from '../errors.js';
import { duration } from './duration.js';

export const policySchema = z.strictObject({
  name: z.string().min(1).max(100),
  owner: z.string().min(1).optional(),
  description: z.string().optional(),
  rto: duration,
  rpo: duration,
  maxBackupAge: duration.optional(),
  validateEvery: duration.optional(),
});

export interface PolicyRef {
  name: string;
  owner?: string | undefined;
  /** Absolute path of the policy file. */
  file: string;
  sha256: string;
  text: string;
  /** How often a drill under this policy must run (ms); a drill not run within it is overdue. */
  validateEvery?: number | undefined;
}

/**
 * Replaces `objectives: { from: FILE }` in a parsed drill by the policy's objectives (as written, so the drill's
 * own schema parses them with its messages), and returns the policy; problems go into `problems`.
 */
export function applyPolicy(drillFile: string, shown: string, data: Record<string, unknown>, lineOfKey: (keyPath: string[]) => number | undefined, problems: ConfigProblem[]): PolicyRef | undefined {
  const objectives = data['objectives'];
  if (!objectives || typeof objectives !== 'object' || !('from' in objectives)) return undefined;
  const { from, ...rest } = objectives as Record<string, unknown>;
  const line = lineOfKey(['objectives', 'from']);
  if (typeof from !== 'string') {
    problems.push({ file: shown, line, path: 'objectives.from', message: 'must be the path of a policy file', fix: 'e.g. objectives: { from: ../policy/tier1.yaml }' });
    return undefined;
  }
  if (Object.keys(rest).length > 0) {
    problems.push({ file: shown, line, path: 'objectives', message: `${Object.keys(rest).join(', ')} next to from: the policy's objectives are used as written`, fix: 'remove them here, or remove from and write the objectives inline' });
    return undefined;
  }
  const file = path.resolve(path.dirname(drillFile), from);
  if (!existsSync(file) || !statSync(file).isFile()) {
    problems.push({ file: shown, line, path: 'objectives.from', message: `policy file ${from} not found (looked at ${file})`, fix: 'the path is relative to the drill file' });
    return undefined;
  }
  const text = readFileSync(file, 'utf8');
  const policyShown = path.relative(process.cwd(), file) || file;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (keyPath: (string | number)[]) => {
    const node = (keyPath.length ? doc.getIn(keyPath, true) : doc.contents) as Node | undefined;
    return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  };
  if (doc.errors.length > 0) {
    problems.push(...doc.errors.map((e) => ({ file: policyShown, line: lineCounter.linePos(e.pos[0]).line, path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` })));
    return undefined;
  }
  const raw = doc.toJS() as Record<string, unknown> | null;
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push({ file: policyShown, line: lineAt([...at, key]), path: key, message: `unknown key "${key}"`, fix: 'a policy holds name, owner, description, rto, rpo, maxBackupAge and validateEvery' });
      } else {
        const missing = issue.code === 'invalid_type' && issue.input === undefined;
        problems.push({ file: policyShown, line: lineAt(at), path: at.join('.'), message: missing ? `is required (${issue.message})` : issue.message });
      }
    }
    return undefined;
  }
  const p = parsed.data;
  // The durations as written: the drill's schema turns them into objectives with its own rules (rto > 0).
  data['objectives'] = {
    rto: raw?.['rto'],
    rpo: raw?.['rpo'],
    ...(p.maxBackupAge !== undefined ? { maxBackupAge: raw?.['maxBackupAge'] } : {}),
    ...(p.validateEvery !== undefined ? { validateEvery: raw?.['validateEvery'] } : {}),
  };
  return { name: p.name, owner: p.owner, file, sha256: createHash('sha256').update(text).digest('hex'), text, validateEvery: p.validateEvery };
}
