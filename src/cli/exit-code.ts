// How a failed command ends, said once for the CLI and its start-up bundle: pgdrill's own errors print what went
// wrong and the fix, with their exit code (bad input 2); anything else is a bug, printed with its stack, exit 1.
import { PgdrillError, UsageError } from '../errors.js';

export function exitCodeFor(error: unknown, write: (text: string) => void): number {
  if (error instanceof PgdrillError) {
    write(`pgdrill: ${error.message}\n${error.suggestion ? `  fix: ${error.suggestion}\n` : ''}`);
    return error instanceof UsageError ? 2 : error.exitCode;
  }
  write(`pgdrill: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
  return 1;
}
