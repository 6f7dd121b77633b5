// Backup methods by name: adding a method is one file and one line here.
import type { BackupMethod } from './backup-method.js';
import { PgBasebackupMethod } from './pg-basebackup.js';

const methods: Record<string, () => BackupMethod> = {
  pg_basebackup: () => new PgBasebackupMethod(),
};

export function backupMethod(name: string): BackupMethod {
  const make = methods[name];
  if (!make) throw new Error(`unknown backup method ${name}`);
  return make();
}
