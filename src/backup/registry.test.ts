import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inspectDrill } from '../drill/loader.js';
import { ROOT } from '../test-support/cli.js';
import { writeDrill } from '../test-support/drill-files.js';
import { PgDumpMethod } from './pg-dump.js';
import { backupMethod, backupMethodNames, registerBackupMethod } from './registry.js';
import type { MethodFacts } from './backup-method.js';

/** A method of a test's own: one class with its facts (here a pg_dump that claims to run only on the host). */
class HostOnlyDump extends PgDumpMethod {
  static override readonly facts: MethodFacts = { pointInTime: false, removableWal: false, damageableBackup: false };
  override readonly name = 'host-only-dump';
}

describe('backup method registry', () => {
  it('adding a method is one class and one registry line: the loader, its rules and the factory follow', () => {
    registerBackupMethod('host-only-dump', HostOnlyDump);
    expect(backupMethodNames()).to.include('host-only-dump');
    expect(backupMethod('host-only-dump')).to.be.instanceOf(HostOnlyDump);
    const drill = (extra: string) =>
      inspectDrill(writeDrill(`name: t\nobjectives: { rto: 2m, rpo: 5s }\nbackup: { method: host-only-dump }\nincident: { kind: drop-table, table: orders }\n${extra}`));
    expect(drill('').drill?.recovery.target, 'no WAL: the dump itself').to.equal('immediate');
    expect(drill('recovery: { target: time }\n').problems.map((p) => p.message).join()).to.contain('backup method host-only-dump keeps no WAL');
    // Every method runs on the docker provider (the drill runs whole in the pgdrill image).
    expect(drill('provider: docker\n').problems).to.deep.equal([]);
  });

  it('no other source file names a built-in method: the adapter and the registry are the only places to touch', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : []));
    const files = sources(path.join(ROOT, 'src')).filter((f) => !f.includes(`${path.sep}test-support${path.sep}`));
    const touched = (name: string) => files.filter((f) => readFileSync(f, 'utf8').includes(`'${name}'`)).map((f) => path.relative(ROOT, f));
    // pg_basebackup is also a tool name (the local provider requires the binary, the default method is named
    // where a drill has none); the others appear in their adapter and the registry only.
    // pgbackrest and barman are also kinds of source (a stanza, a server the user already has): those files name the source.
    const notSources = (f: string) => !f.startsWith('src/sources/') && !['src/drill/source-schema.ts', 'src/drill/loader.ts'].includes(f);
    expect(touched('pgbackrest').filter(notSources)).to.have.members(['src/backup/registry.ts', 'src/backup/pgbackrest.ts']);
    expect(touched('barman').filter(notSources)).to.have.members(['src/backup/registry.ts', 'src/backup/barman.ts']);
    expect(touched('pg_basebackup-no-wal')).to.have.members(['src/backup/registry.ts', 'src/backup/pg-basebackup-no-wal.ts']);
    expect(touched('pg_dump')).to.have.members(['src/backup/registry.ts', 'src/backup/pg-dump.ts']);
  });
});
