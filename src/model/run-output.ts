// The output port: where a finished run is published (history page, JUnit, metrics, GitHub's step summary,
// Slack, a comparison). The CLI chooses the outputs; the run loop calls each through this one interface after
// every drill's files are written and before the summary and the evidence are; none of them can change a
// verdict or lose a report: a failure is a warning.
import type { DrillResult } from './result-schema.js';

export interface CompletedRun {
  runId: string;
  /** <out>/<run-id>/ */
  runDir: string;
  /** <out>/ */
  outDir: string;
  results: DrillResult[];
}

export interface RunOutput {
  /** For warnings: "JUnit report reports/junit.xml". */
  readonly name: string;
  /** Values that must never appear in a warning (a webhook URL). */
  readonly secrets?: readonly string[];
  /** Publishes the run; returns warnings (an output that could not be delivered, said without secrets). */
  publish(run: CompletedRun): Promise<string[]> | string[];
}
