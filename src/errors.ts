// The small error taxonomy of pgdrill: what went wrong and what to do about it. Which exit code each class
// means is decided in one place (model/exit-codes.ts); library code never calls process.exit.

/** Base class: a message that starts with what happened, plus what to do about it. */
export class PgdrillError extends Error {
  constructor(
    message: string,
    readonly suggestion?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem in a drill file: where it is, what is wrong, how to fix it. */
export interface ConfigProblem {
  file: string;
  line?: number | undefined;
  path: string;
  message: string;
  fix?: string | undefined;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  const at = p.path ? `${p.path}: ` : '';
  return `${where}: ${at}${p.message}${p.fix ? `; ${p.fix}` : ''}`;
}

/** Bad drill file or bad usage: nothing was started. Exit code 2. */
export class DrillConfigError extends PgdrillError {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in drill configuration:\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
  }
}

/** Wrong command-line usage. Exit code 2. */
export class UsageError extends PgdrillError {
}

/** The machine cannot run the drill: binaries missing, no free port, an instance that will not start. Exit 3. */
export class EnvironmentError extends PgdrillError {
}

/** The run was interrupted (SIGINT/SIGTERM). Exit 130. */
export class InterruptedError extends PgdrillError {
  constructor(signal = 'SIGINT') {
    super(`interrupted by ${signal}: the drill was stopped and its instances removed`);
  }
}

/** A child process failed or timed out. Carries the command, exit code, output tail and duration. */
export class StepFailedError extends PgdrillError {
  constructor(
    message: string,
    readonly details: {
      command: string;
      exitCode?: number | undefined;
      timedOut?: boolean;
      outputTail: string;
      durationSeconds: number;
      logFile?: string | undefined;
    },
    options?: { cause?: unknown; suggestion?: string },
  ) {
    super(message, options?.suggestion, options);
  }
}

/**
 * Recovery ended without reaching its target or the restored server died: the backup did not restore as
 * promised. This is a drill finding (status failed), not an environment problem.
 */
export class RecoveryFailedError extends PgdrillError {
  constructor(
    message: string,
    readonly logTail: string,
    suggestion?: string,
  ) {
    super(message, suggestion);
  }
}

/** Waiting for something with a deadline ran out. */
export class TimeoutError extends PgdrillError {}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof InterruptedError ||
    (error instanceof Error && (error.name === 'AbortError' || (error as { isCanceled?: boolean }).isCanceled === true))
  );
}

/** The drill found a problem with the backup or the recovery (status failed, exit 1). */
export class DrillFinding extends PgdrillError {}

/** Drill findings (the backup or the recovery did not hold) as opposed to pgdrill being unable to run. */
export function isFinding(error: unknown): boolean {
  return (
    error instanceof DrillFinding ||
    error instanceof RecoveryFailedError ||
    error instanceof StepFailedError ||
    error instanceof TimeoutError
  );
}
