// Builds dist/validate-bundle.js, the start-up bundle of `pgdrill validate` (src/cli/validate-entry.ts, compiled
// first by tsc): the validate path and what it imports (zod, yaml) in one file, which Node loads in about a third of
// the time it takes to resolve and read ~200 separate modules. It sits at dist/'s top level, the depth of
// dist/version.js, so files found relative to a module (package.json) resolve the same. A heavy package creeping
// into the validate path would show as a much larger file: that fails the build.
import { build } from 'esbuild';
import { statSync } from 'node:fs';

const outfile = new URL('../dist/validate-bundle.js', import.meta.url).pathname;
await build({
  entryPoints: [new URL('../dist/cli/validate-entry.js', import.meta.url).pathname],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS packages in an ES module bundle still call require for Node's own modules.
  banner: { js: "import { createRequire as __pgdrillRequire } from 'node:module'; const require = __pgdrillRequire(import.meta.url);" },
  logLevel: 'warning',
});
const bytes = statSync(outfile).size;
if (bytes > 2_000_000) {
  process.stderr.write(`dist/validate-bundle.js is ${bytes} bytes: a heavy module reached the validate path; load it lazily where it is used\n`);
  process.exit(1);
}
