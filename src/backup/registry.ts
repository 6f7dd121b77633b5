// Backup methods by name: adding a method is one file and one line here.
import type { BackupMethod } from './backup-method.js';
import { PgBasebackupMethod } from './pg-basebackup.js';
import { BarmanMethod } from './barman.js';
import { PgBackRestMethod } from './pgbackrest.js';
import { PgBasebackupNoWalMethod } from './pg-basebackup-no-wal.js';
import { PgDumpMethod } from './pg-dump.js';

const methods: Record<string, () => BackupMethod> = {
  pg_basebackup: () => new PgBasebackupMethod(),
  pgbackrest: () => new PgBackRestMethod(),
  barman: () => new BarmanMethod(),
  'pg_basebackup-no-wal': () => new PgBasebackupNoWalMethod(),
  pg_dump: () => new PgDumpMethod(),
};

export function backupMethod(name: string): BackupMethod {
  const make = methods[name];
  if (!make) throw new Error(`unknown backup method ${name}`);
  return make();
}
