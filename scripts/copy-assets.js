// Copies non-TypeScript assets (handlebars and init templates) next to the compiled code in dist/.
import { cpSync } from 'node:fs';

for (const dir of ['report/templates', 'cli/templates', 'compare/templates']) {
  cpSync(new URL(`../src/${dir}`, import.meta.url), new URL(`../dist/${dir}`, import.meta.url), { recursive: true });
}
