// `pgdrill plan`: which drill runs in which shard, printed for the scheduler that runs them: a GitHub Actions
// strategy.matrix (JSON for fromJSON), the completion indexes of a Kubernetes Indexed Job, or plain text.
import { drillNames, shardOf } from './shard.js';

export const PLAN_FORMATS = ['github-matrix', 'k8s-indexed-job', 'text'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export interface ShardPlan {
  shard: number;
  of: number;
  drills: Array<{ name: string; file: string }>;
}

export function planShards(files: readonly string[], of: number): ShardPlan[] {
  const named = drillNames(files);
  return Array.from({ length: of }, (_, i) => ({ shard: i + 1, of, drills: named.filter((d) => shardOf(d.name, of) === i + 1) }));
}

export function formatPlan(plan: readonly ShardPlan[], format: PlanFormat): string {
  switch (format) {
    case 'github-matrix':
      // strategy.matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}; each job: pgdrill run drills/ --shard ${{ matrix.shard }}/${{ matrix.of }}
      return JSON.stringify({ include: plan.map((p) => ({ shard: p.shard, of: p.of, drills: p.drills.map((d) => d.name).join(', ') })) });
    case 'k8s-indexed-job':
      // completionMode: Indexed; the pod with JOB_COMPLETION_INDEX k runs shard k+1.
      return [
        `completions: ${plan.length}`,
        `parallelism: ${plan.length}`,
        'shards: # JOB_COMPLETION_INDEX -> drills (run with --shard $((JOB_COMPLETION_INDEX + 1))/' + String(plan.length) + ')',
        ...plan.map((p) => `  "${p.shard - 1}": [${p.drills.map((d) => JSON.stringify(d.name)).join(', ')}]`),
      ].join('\n');
    case 'text':
      return plan.map((p) => `shard ${p.shard}/${p.of}: ${p.drills.map((d) => d.name).join(', ') || '(none)'}`).join('\n');
  }
}
