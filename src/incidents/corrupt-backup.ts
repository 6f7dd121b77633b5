// corrupt-backup: bytes flip in a data file of the base backup after it was taken. The backup method's own
// verification (pg_verifybackup checks every file against the backup manifest) must catch it before any
// restore is attempted. The backup is the drill's own disposable copy, never a source repository.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BackupArtifact, BackupContext } from '../backup/backup-method.js';
import { PgdrillError } from '../errors.js';
import type { RecoveryTarget } from '../recovery/recovery-target.js';
import { flipBytes } from './corrupt-page.js';
import { type Incident, type IncidentFacts, type IncidentRecord, type ProtectedTable } from './incident.js';

export const corruptBackupFacts: IncidentFacts = {
  // It flips bytes in a plain base backup folder (base/...), which pg_verifybackup checks against its manifest.
  requires: 'plainBackupFolder',
  detectedBy: ['backup-verified'],
};

export class CorruptBackupIncident implements Incident {
  readonly kind = 'corrupt-backup';
  readonly primarySurvives = true;
  private record: IncidentRecord | undefined;

  describe(): string {
    return 'flip bytes in the largest data file of the base backup';
  }

  async preflight(): Promise<ProtectedTable[]> {
    return [];
  }

  async afterBackup(_ctx: BackupContext, backup: BackupArtifact): Promise<IncidentRecord> {
    const base = path.join(backup.location, 'base');
    const files = readdirSync(base, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /^\d+$/.test(e.name))
      .map((e) => path.join(e.parentPath, e.name))
      .map((f) => ({ f, size: statSync(f).size }))
      .sort((a, b) => b.size - a.size);
    const victim = files[0];
    if (!victim || victim.size < 64) throw new PgdrillError(`no data file to corrupt in ${base}`);
    const offset = Math.floor(victim.size / 2);
    flipBytes(victim.f, offset, 16);
    const rel = path.relative(backup.location, victim.f);
    const now = new Date();
    this.record = {
      kind: 'corrupt-backup',
      description: `16 bytes of ${rel} in the base backup are corrupted after the backup was taken`,
      statement: `flip 16 bytes at offset ${offset} of ${rel}`,
      lsnBefore: backup.endLsn ?? '',
      lsnAfter: backup.endLsn ?? '',
      commitTime: now.toISOString(),
      commitMicros: now.getTime() * 1000,
      details: { file: rel, offset: String(offset) },
    };
    return this.record;
  }

  /**
   * The damage was done to the backup already. Reached only when the backup's verification missed it: the drill
   * then goes on and restores the damaged backup, and is judged "not detected".
   */
  async inject(): Promise<IncidentRecord> {
    if (!this.record) throw new PgdrillError('corrupt-backup damages the backup after it is taken; no backup was damaged');
    return this.record;
  }

  beforeIncidentTarget(): RecoveryTarget {
    return { kind: 'latest' };
  }
}
