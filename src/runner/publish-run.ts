// Calls each output of a finished run through the output port. An output that fails becomes a warning, with
// its secrets redacted; none of them can change a verdict or lose a report.
import { Redactor } from '../exec/redactor.js';
import type { CompletedRun, RunOutput } from '../model/run-output.js';

export async function publishRun(run: CompletedRun, outputs: readonly RunOutput[]): Promise<string[]> {
  const warnings: string[] = [];
  for (const output of outputs) {
    const redactor = new Redactor();
    for (const s of output.secrets ?? []) redactor.add(s);
    try {
      warnings.push(...(await output.publish(run)).map((w) => redactor.redact(w)));
    } catch (error) {
      warnings.push(redactor.redact(`could not write ${output.name}: ${(error as Error).message}`));
    }
  }
  return warnings;
}
