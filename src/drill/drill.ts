// The typed Drill: a validated drill file plus where it came from.
import type { DrillSpec } from './schema.js';

export interface Drill extends DrillSpec {
  /** Absolute path of the drill file. */
  file: string;
  /** The file's exact text (evidence: what was run). */
  source: string;
  /** Fixture files resolved to absolute paths. */
  fixturePaths: string[];
}
