// Every exit code pgdrill ends with, decided here and nowhere else: a drill's (from its status), a run's (the
// worst of its drills'), a failed command's (from the error's class), a signal's. The library returns them;
// only the CLI passes them to process.exit. The README's "Exit codes" table lists the same.
import { DrillConfigError, EnvironmentError, isAbortError, UsageError } from '../errors.js';

export const EXIT = {
  /** Every drill passed (every check, both objectives). */
  passed: 0,
  /** A drill failed: a check, an objective, a recovery that did not reach its target. */
  failed: 1,
  /** Bad input: a drill file, a flag; nothing was started. */
  badInput: 2,
  /** The machine cannot run the drill: binaries, disk, ports, an engine, credentials. */
  environment: 3,
  /** Nothing failed, but a check or an objective could not be judged: not a pass. */
  unverified: 4,
  /** Interrupted by SIGINT (128 + 2) or SIGTERM (128 + 15). */
  sigint: 130,
  sigterm: 143,
} as const;

/** The order a run of several drills reports them in: interrupted wins, then the machine, input, failures, unverified. */
const SEVERITY: readonly number[] = [EXIT.sigterm, EXIT.sigint, EXIT.environment, EXIT.badInput, EXIT.failed, EXIT.unverified];

export function signalExit(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
}

/** A command that ended with an error (pgdrill's own classes; anything else is a bug: 1). */
export function errorExit(error: unknown): number {
  if (isAbortError(error)) return EXIT.sigint;
  if (error instanceof EnvironmentError) return EXIT.environment;
  if (error instanceof DrillConfigError || error instanceof UsageError) return EXIT.badInput;
  return EXIT.failed;
}

/** One drill, from the judge's status and the error that stopped it, if any. */
export function drillExit(status: 'passed' | 'failed' | 'unverified' | 'error', error: unknown, interruptedBy?: 'SIGINT' | 'SIGTERM'): number {
  if (interruptedBy) return signalExit(interruptedBy);
  if (status === 'passed') return EXIT.passed;
  if (status === 'unverified') return EXIT.unverified;
  return error ? errorExit(error) : EXIT.failed;
}

/** A result as its status says (a result.json read back: aggregate, compare). */
export function statusExit(status: 'passed' | 'failed' | 'unverified' | 'error'): number {
  return status === 'passed' ? EXIT.passed : status === 'unverified' ? EXIT.unverified : EXIT.failed;
}

/** Several outcomes as one: the most severe. */
export function worstExit(codes: readonly number[]): number {
  return SEVERITY.find((code) => codes.includes(code)) ?? EXIT.passed;
}

/** `pgdrill check`, `validate`: whether anything failed. */
export function findingsExit(failed: boolean, kind: 'finding' | 'input' = 'finding'): number {
  return failed ? (kind === 'input' ? EXIT.badInput : EXIT.failed) : EXIT.passed;
}
