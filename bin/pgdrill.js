#!/usr/bin/env node
// Entry point installed as `pgdrill`: runs the compiled CLI (npm ci builds it through `prepare`).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('pgdrill: dist/ is missing; run `npm ci` (or `npm run build`) in the pgdrill folder first\n');
  process.exit(3);
}
await import(cli.href);
