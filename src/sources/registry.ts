// Sources by kind: adding one is one adapter file and one line here (plus its fragment in drill/source-schema.ts).
import type { SourceDrill } from '../drill/drill.js';
import { BarmanSource } from './barman.js';
import { BarmanCloudSource } from './barman-cloud.js';
import { BasebackupSource } from './basebackup.js';
import { DumpSource } from './dump.js';
import { PgBackRestSource } from './pgbackrest.js';
import type { BackupSource } from './source.js';

export function createSource(drill: SourceDrill): BackupSource {
  const s = drill.source;
  if (s.basebackup) return new BasebackupSource(s.basebackup.path, s.basebackup.walArchive);
  if (s.dump) return new DumpSource(s.dump.path);
  if (s.pgbackrest) return new PgBackRestSource(s.pgbackrest.config, s.pgbackrest.stanza, s.pgbackrest.set, s.pgbackrest.repo, s.seed);
  if (s.barman) return new BarmanSource(s.barman.config, s.barman.server, s.barman.backup, s.seed);
  if (s.barmanCloud) return new BarmanCloudSource({ ...s.barmanCloud, seed: s.seed });
  throw new Error(`source kind not implemented: ${Object.keys(s).join(', ')}`);
}
