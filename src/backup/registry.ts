// Backup methods by name: adding a method is one file (the adapter, with its facts) and one line here. The drill
// loader, the provider choice, compare and the CLI read names and facts from this registry only.
import type { BackupMethod, BackupOptions, MethodAdapter, MethodFacts } from './backup-method.js';
import { BarmanMethod } from './barman.js';
import { BarmanCloudMethod } from './barman-cloud.js';
import { PgBasebackupNoWalMethod } from './pg-basebackup-no-wal.js';
import { PgBasebackupMethod } from './pg-basebackup.js';
import { PgDumpMethod } from './pg-dump.js';
import { PgBackRestMethod } from './pgbackrest.js';

const methods = new Map<string, MethodAdapter>([
  ['pg_basebackup', PgBasebackupMethod],
  ['pg_basebackup-no-wal', PgBasebackupNoWalMethod],
  ['pgbackrest', PgBackRestMethod],
  ['barman', BarmanMethod],
  ['barman-cloud', BarmanCloudMethod],
  ['pg_dump', PgDumpMethod],
]);

/** Registers a method (tests register their own; the built-in ones are listed above). */
export function registerBackupMethod(name: string, adapter: MethodAdapter): void {
  methods.set(name, adapter);
}

export function backupMethodNames(): string[] {
  return [...methods.keys()];
}

export function methodFacts(name: string): MethodFacts | undefined {
  return methods.get(name)?.facts;
}

/** Names of the methods with a capability, for messages ("it works with ..."). */
export function methodsWith(fact: keyof MethodFacts): string[] {
  return [...methods].filter(([, m]) => m.facts[fact]).map(([name]) => name);
}

/** The facts of a method instance: its class's (a subclass inherits them). */
export function factsOf(method: BackupMethod): MethodFacts {
  const facts = (method.constructor as Partial<MethodAdapter>).facts ?? methodFacts(method.name);
  if (!facts) throw new Error(`backup method ${method.name} declares no facts`);
  return facts;
}

export function backupMethod(name: string, options: BackupOptions = {}): BackupMethod {
  const Adapter = methods.get(name);
  if (!Adapter) throw new Error(`unknown backup method ${name}`);
  return new Adapter(options);
}
