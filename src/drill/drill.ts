// The typed drills: a validated drill file plus where it came from. A self-contained drill builds its own
// primary, backup and incident; a source drill restores a backup the user already has.
import type { DrillSpec } from './schema.js';
import type { SourceDrillSpec } from './source-schema.js';
import type { PolicyRef } from './policy.js';

/**
 * Values that replace the file's before validation, so a drill is validated as it will run: the command line's
 * --provider, or the method `compare` runs it with. `by` names where they came from, for the messages.
 */
export interface DrillOverrides {
  provider?: 'auto' | 'local' | 'docker' | undefined;
  method?: string | undefined;
  target?: string | undefined;
  /** Which backup of a pgBackRest stanza or Barman server (latest, oldest, random, a label). */
  backup?: string | undefined;
  by: string;
}

interface Loaded {
  /** Absolute path of the drill file. */
  file: string;
  /** The file's exact text (evidence: what was run). */
  text: string;
  /** Line of each key path in the file (e.g. "recovery.at"), for errors found while the drill runs. */
  lines: Record<string, number>;
  /** The objectives came from this policy file (objectives: { from: ... }). */
  policy?: PolicyRef | undefined;
  /** What the command line changed before validation (--provider, --backup, compare's method). */
  overrides?: DrillOverrides | undefined;
}

export interface Drill extends DrillSpec, Loaded {
  kind?: undefined;
  /** Fixture files resolved to absolute paths. */
  fixturePaths: string[];
}

/** A drill of an existing backup; paths in `source` are absolute (resolved against the drill file). */
export interface SourceDrill extends SourceDrillSpec, Loaded {}

export type AnyDrill = Drill | SourceDrill;

export function isSourceDrill(d: AnyDrill): d is SourceDrill {
  return d.kind === 'source';
}
