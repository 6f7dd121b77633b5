// A Handlebars template of dist/ is loaded precompiled: scripts/copy-assets.js writes `<name>.hbs.precompiled`
// next to each template at build time, so a run does not spend ~50 ms parsing and compiling its report pages.
// Under tsx (src/, no build) the template is compiled from its source; both with Handlebars' default options.
import { existsSync, readFileSync } from 'node:fs';
import type Handlebars from 'handlebars';
import { codeAsset } from '../package-files.js';

/** What scripts/copy-assets.js appends to a template's name for its precompiled form. */
const PRECOMPILED_SUFFIX = '.precompiled';

/** `relative`: the template's path from src/ ('report/templates/report.hbs'). */
export function templateFile(hbs: typeof Handlebars, relative: string): Handlebars.TemplateDelegate {
  const source = codeAsset(relative);
  const precompiled = `${source}${PRECOMPILED_SUFFIX}`;
  if (existsSync(precompiled)) {
    // The build's own output (Handlebars.precompile of the file beside it): a template specification object.
    const spec = new Function(`return (${readFileSync(precompiled, 'utf8')});`)() as TemplateSpecification;
    return hbs.template(spec);
  }
  return hbs.compile(readFileSync(source, 'utf8'));
}
