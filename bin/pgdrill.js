#!/usr/bin/env node
// Entry point installed as `pgdrill`: runs the compiled CLI (npm ci builds it through `prepare`).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('pgdrill: dist/ is missing; run `npm ci` (or `npm run build`) in the pgdrill folder first\n');
  process.exit(3);
}
// `pgdrill validate <files>` (no options) runs from one bundled file (scripts/bundle-validate.js): the same code,
// loaded in a fraction of the time. Everything else, `validate --help` included, goes through the CLI.
const [command, ...rest] = process.argv.slice(2);
const validate = new URL('../dist/validate-bundle.js', import.meta.url);
const fast = command === 'validate' && rest.length > 0 && !rest.some((a) => a.startsWith('-')) && existsSync(validate);
await import((fast ? validate : cli).href);
