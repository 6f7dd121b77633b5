// How a failed command ends, said once for the CLI and its start-up bundle: pgdrill's own errors print what went
// wrong and the fix, with their exit code (model/exit-codes.ts); anything else is a bug, printed with its stack, exit 1.
import { PgdrillError } from '../errors.js';
import { EXIT, errorExit } from '../model/exit-codes.js';

export function reportError(error: unknown, write: (text: string) => void): number {
  if (error instanceof PgdrillError) {
    write(`pgdrill: ${error.message}\n${error.suggestion ? `  fix: ${error.suggestion}\n` : ''}`);
    return errorExit(error);
  }
  write(`pgdrill: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
  return EXIT.failed;
}
