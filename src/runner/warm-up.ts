// What a drill needs only once its recovery is done, loaded while the restore copies files: node-postgres (the
// checks' connections) and the report's renderer (Handlebars and the templates). pgdrill's own thread only waits on
// a child then, so neither the start of the drill (before the RTO) nor its end (after it) waits for them.
import { loadPg } from '../providers/instance-base.js';

export function warmUp(): void {
  // A module that fails to load fails where it is used, with that caller's message.
  void loadPg().catch(() => undefined);
  void import('../report/html-report.js').catch(() => undefined);
  void import('../report/index-page.js').catch(() => undefined);
}
