// Sources by kind: adding one is one adapter file and one line here (plus its fragment in drill/source-schema.ts).
import type { SourceDrill } from '../drill/drill.js';
import { BasebackupSource } from './basebackup.js';
import type { BackupSource } from './source.js';

export function createSource(drill: SourceDrill): BackupSource {
  const s = drill.source;
  if (s.basebackup) return new BasebackupSource(s.basebackup.path, s.basebackup.walArchive);
  throw new Error(`source kind not implemented: ${Object.keys(s).join(', ')}`);
}
