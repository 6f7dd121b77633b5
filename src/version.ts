// pgdrill's own version, read from package.json (evidence: which pgdrill produced a result).
import { readFileSync } from 'node:fs';
import { packageFile } from './package-files.js';

const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string };
export const PGDRILL_VERSION: string = pkg.version;
