#!/usr/bin/env node
// Entry point installed as `pgdrill`: runs the compiled CLI (npm ci builds it through `prepare`).
import { existsSync } from 'node:fs';

const dist = (file) => new URL(`../dist/${file}`, import.meta.url);
if (!existsSync(dist('cli/main.js'))) {
  process.stderr.write('pgdrill: dist/ is missing; run `npm ci` (or `npm run build`) in the pgdrill folder first\n');
  process.exit(3);
}
// Both bundles are the compiled code itself, loaded in a fraction of the time it takes to resolve and read hundreds
// of separate modules (scripts/bundle.js). `pgdrill validate <files>` (no options) runs from its own one-file bundle;
// everything else, `validate --help` included, goes through the CLI's bundle, or dist/cli/main.js where it is absent.
const [command, ...rest] = process.argv.slice(2);
const validate = command === 'validate' && rest.length > 0 && !rest.some((a) => a.startsWith('-')) && existsSync(dist('validate-bundle.js'));
const entry = validate ? dist('validate-bundle.js') : existsSync(dist('bundle/main.js')) ? dist('bundle/main.js') : dist('cli/main.js');
await import(entry.href);
