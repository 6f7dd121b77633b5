// The runbook's own steps after the restore (`afterRestore:`), before the checks and inside the RTO: an erasure
// ledger replayed so deleted rows stay deleted, a sequence reset, a script of the team's. Each is a phase of its own;
// the first that fails fails the drill with what it said.
import { readFileSync } from 'node:fs';
import type { AfterRestoreStep } from '../drill/schema-parts.js';
import { isSqlFile } from '../drill/schema-parts.js';
import { DrillFinding } from '../errors.js';
import type { CommandRunner } from '../exec/command-runner.js';
import type { PostgresInstance } from '../providers/provider.js';
import { whereChecksRun } from '../verify/where-checks-run.js';
import type { Timeline } from './timeline.js';

export async function runAfterRestore(steps: readonly AfterRestoreStep[], restored: PostgresInstance, runner: CommandRunner, timeline: Timeline): Promise<void> {
  for (const [i, step] of steps.entries()) {
    const label = step.name ?? ('sql' in step ? (isSqlFile(step.sql) ? step.sql.split('/').at(-1) : step.sql.slice(0, 40)) : step.command.join(' ').slice(0, 40));
    await timeline.phase(
      `after-restore-${i + 1}`,
      async () => {
        try {
          if ('sql' in step) {
            const text = isSqlFile(step.sql) ? readFileSync(step.sql, 'utf8') : step.sql;
            await whereChecksRun(restored, step, (client) => client.query(text));
          } else {
            const [file, ...args] = step.command as [string, ...string[]];
            const env = { PGHOST: restored.socketDir ?? restored.host, PGPORT: String(restored.port), PGUSER: String(restored.connection.user ?? 'postgres'), PGDATABASE: step.database ?? restored.defaultDatabase };
            await runner.run(file, args, { label: `after-restore-${i + 1}`, env });
          }
        } catch (error) {
          throw new DrillFinding(`afterRestore step ${i + 1} (${label}) failed: ${(error as Error).message.split('\n')[0]}`, 'fix the step, or the backup it runs on; the checks did not run');
        }
      },
      { inRto: true },
    );
  }
}
