// The typed Drill: a validated drill file plus where it came from.
import type { DrillSpec } from './schema.js';

export interface Drill extends DrillSpec {
  /** Absolute path of the drill file. */
  file: string;
  /** The file's exact text (evidence: what was run). */
  source: string;
  /** Fixture files resolved to absolute paths. */
  fixturePaths: string[];
  /** Line of each key path in the file (e.g. "recovery.at"), for errors found while the drill runs. */
  lines: Record<string, number>;
}
