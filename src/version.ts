// pgdrill's own version, read from package.json (evidence: which pgdrill produced a result).
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
export const PGDRILL_VERSION: string = pkg.version;
