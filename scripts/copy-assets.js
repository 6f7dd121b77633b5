// Copies non-TypeScript assets (handlebars templates) next to the compiled code in dist/.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/report/templates', import.meta.url), new URL('../dist/report/templates', import.meta.url), { recursive: true });
