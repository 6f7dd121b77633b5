// `pgdrill validate`: drill files checked, nothing started. The CLI runs it, and so does the start-up bundle
// (validate-entry.ts): bin/pgdrill.js sends `pgdrill validate <files>` there, one file instead of the ~200 modules
// zod, yaml and commander are made of, so checking a drill in an editor hook or CI step starts about as fast as Node.
import { formatProblem } from '../errors.js';
import { expandDrillFiles } from '../drill/drill-files.js';
import { checkDrillFiles } from '../drill/loader.js';
import { findingsExit } from '../model/exit-codes.js';

/** Checks the drill files (or folders of them); prints each problem, or how many files are valid. Exit code. */
export function validateDrills(args: readonly string[], write: (text: string) => void): number {
  const files = expandDrillFiles(args);
  const { problems } = checkDrillFiles(files);
  for (const p of problems) write(`${formatProblem(p)}\n`);
  if (problems.length === 0) write(`${files.length} drill file(s) valid\n`);
  return findingsExit(problems.length > 0, 'input');
}
