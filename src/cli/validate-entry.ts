// The start-up bundle's entry (scripts/bundle.js builds dist/validate-bundle.js from it): `pgdrill validate
// <files>` as the CLI runs it, without loading the CLI. bin/pgdrill.js comes here only for that exact form.
import '../polyfills.js';
import { reportError } from './report-error.js';
import { validateDrills } from './validate.js';

const write = (text: string) => process.stderr.write(text);
try {
  process.exitCode = validateDrills(process.argv.slice(3), write);
} catch (error) {
  process.exitCode = reportError(error, write);
}
