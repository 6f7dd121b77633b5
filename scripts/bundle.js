// Builds the start-up bundles from the code tsc compiled into dist/ (Node loads one file in a fraction of the time it
// takes to resolve and read hundreds of separate modules):
// - dist/validate-bundle.js: `pgdrill validate <files>` (src/cli/validate-entry.ts) and what it imports (zod, yaml),
//   one file. A heavy package creeping into the validate path would show as a much larger file: that fails the build.
// - dist/bundle/: the whole CLI (src/cli/main.ts), split where the code loads a module lazily, so a path still loads
//   only what it uses. testcontainers (the docker provider) is bundled too, in the chunks of that path: from one file
//   it loads in 0.13 s instead of 0.19 s, and without two of its dependencies pgdrill never calls (below). Packages
//   with native addons (ssh2) or used only on their own path (S3 evidence, the browser) stay external and load
//   from node_modules when that path runs.
// Files the code reads (templates, package.json, libexec) are found from the package root (src/package-files.ts),
// so they resolve the same from a bundle.
import { build } from 'esbuild';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).pathname;
// CommonJS packages in an ES module bundle still call require for Node's own modules.
const banner = { js: "import { createRequire as __pgdrillRequire } from 'node:module'; const require = __pgdrillRequire(import.meta.url);" };
// zod re-exports every message locale (`z.locales`, `z.core.locales`: 64 languages, 370 kB: half of zod in a bundle) though it
// configures English alone; pgdrill's messages are English and it never reads `z.locales`, so the bundles get a
// `locales` of English only: 18% less code compiled at every start-up. (tsc's dist/ keeps the package whole.)
const englishZodLocales = {
  name: 'zod-english-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]v4[\\/](classic|core|mini)[\\/]/.test(args.importer) ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'en.js') } : undefined));
  },
};
// Two paths of the docker client pgdrill never takes, whose modules are loaded with it: dockerode's BuildKit
// session and output decoder (gRPC and protobuf, for building images through the API; pgdrill builds none) and testcontainers' HTTP wait
// strategy (undici, 1.2 MB; pgdrill waits for a log line). In the bundle they are a module that says so if called.
const unusedDockerPaths = {
  name: 'unused-docker-paths',
  setup(b) {
    b.onResolve({ filter: /^\.\/(session|buildkit)$/ }, (args) => (/[\\/]dockerode[\\/]lib[\\/]/.test(args.importer) ? { path: `dockerode ${args.path.slice(2)}`, namespace: 'unused' } : undefined));
    b.onResolve({ filter: /^undici$/ }, (args) => (/[\\/]testcontainers[\\/]/.test(args.importer) ? { path: 'undici', namespace: 'unused' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'unused' }, (args) => {
      const message = JSON.stringify(`${args.path} is left out of pgdrill's bundle (scripts/bundle.js): pgdrill does not use it`);
      const contents = `const unused = () => { throw new Error(${message}); };\nmodule.exports = new Proxy(unused, { get: (t, k) => (k === '__esModule' ? false : unused) });\n`;
      return { contents, loader: 'js' };
    });
  },
};
const common = { bundle: true, format: 'esm', platform: 'node', target: 'node20', banner, logLevel: 'warning', plugins: [englishZodLocales, unusedDockerPaths] };

await build({ ...common, entryPoints: [dist('cli/validate-entry.js')], outfile: dist('validate-bundle.js') });
const bytes = statSync(dist('validate-bundle.js')).size;
if (bytes > 2_000_000) {
  process.stderr.write(`dist/validate-bundle.js is ${bytes} bytes: a heavy module reached the validate path; load it lazily where it is used\n`);
  process.exit(1);
}

rmSync(dist('bundle'), { recursive: true, force: true });
const { metafile } = await build({
  ...common,
  entryPoints: { main: dist('cli/main.js') },
  outdir: dist('bundle'),
  splitting: true,
  chunkNames: '[name]-[hash]',
  external: ['ssh2', 'cpu-features', 'playwright-core', '@aws-sdk/*', '@smithy/*'],
  metafile: true,
});
// Which sources each file of the bundle holds (paths from the package root): what a run loaded, module by module,
// stays provable (a test checks that a run without an endpoint loads no @opentelemetry code).
const inputs = Object.fromEntries(Object.entries(metafile.outputs).map(([file, o]) => [path.basename(file), Object.keys(o.inputs)]));
writeFileSync(dist('bundle/inputs.json'), `${JSON.stringify(inputs)}\n`);
