// node --import this file: appends every module URL the process loads to $PGDRILL_TEST_MODULE_LOG (a test
// proves which packages a run loads, e.g. none of @opentelemetry without an endpoint).
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (process.env.PGDRILL_TEST_MODULE_LOG) appendFileSync(process.env.PGDRILL_TEST_MODULE_LOG, url + '\\n');
  return next(url, context);
}
`));
