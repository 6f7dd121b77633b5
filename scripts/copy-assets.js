// Copies non-TypeScript assets (handlebars and init templates) next to the compiled code in dist/, and writes each
// Handlebars template precompiled beside it (<name>.hbs.precompiled, src/report/template-file.ts loads it).
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import Handlebars from 'handlebars';

for (const dir of ['report/templates', 'cli/templates', 'compare/templates']) {
  const to = new URL(`../dist/${dir}/`, import.meta.url);
  cpSync(new URL(`../src/${dir}`, import.meta.url), to, { recursive: true });
  for (const name of readdirSync(to).filter((f) => f.endsWith('.hbs'))) {
    writeFileSync(new URL(`${name}.precompiled`, to), Handlebars.precompile(readFileSync(new URL(name, to), 'utf8')));
  }
}
