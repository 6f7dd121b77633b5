// What every stage of a drill works with: the disposable session, the timeline, and the adapters chosen for
// the drill. Stages return what they observed; run-drill.ts strings them together.
import type { BackupMethod } from '../../tools/backup-method.js';
import type { OsUser } from '../../exec/os-user.js';
import type { Incident } from '../../incidents/incident.js';
import type { Provider } from '../../providers/provider.js';
import type { DrillSession } from '../session/drill-session.js';
import type { Timeline } from '../timeline.js';

export interface Stage {
  session: DrillSession;
  timeline: Timeline;
  provider: Provider;
  method: BackupMethod;
  incident: Incident;
  signal: AbortSignal;
  serverUser: OsUser | undefined;
  /** The disposable superuser's password. */
  password: string;
}
