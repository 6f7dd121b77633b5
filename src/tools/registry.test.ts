import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { inspectDrill } from '../drill/loader.js';
import { ROOT } from '../test-support/cli.js';
import { writeDrill } from '../test-support/drill-files.js';
import { tempDir } from '../test-support/temp-dirs.js';
import type { MethodFacts } from './backup-method.js';
import { PgDumpMethod } from './pg-dump/method.js';
import { BasebackupSource } from './pg-basebackup/source.js';
import { backupMethod, backupMethodNames, createSource, registerBackupMethod, registerTool } from './registry.js';

/** A method of a test's own: one class with its facts (here a pg_dump that claims to run only on the host). */
class HostOnlyDump extends PgDumpMethod {
  static override readonly facts: MethodFacts = { pointInTime: false, removableWal: false, damageableBackup: false };
  override readonly name = 'host-only-dump';
}

/** The source files of the library, relative to the repository. */
function libraryFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : []));
  return walk(path.join(ROOT, 'src'))
    .filter((f) => !f.includes(`${path.sep}test-support${path.sep}`))
    .map((f) => path.relative(ROOT, f));
}

describe('tool registry', () => {
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

  it('adding a kind of source is one tool and one registry line: its section, its paths, its WAL rule and its adapter follow', () => {
    const section = z.strictObject({ folder: z.string().min(1), label: z.string().default('copy') });
    registerTool({
      name: 'folder copy',
      source: {
        key: 'folderCopy',
        schema: section,
        paths: { folder: 'folder' },
        withoutWal: (_s, target) => `a folder copy holds no WAL (${target})`,
        create: (s: z.output<typeof section>) => new BasebackupSource(s.folder, undefined),
      },
    });
    const folder = tempDir('pgdrill-folder-copy-');
    const file = writeDrill(`name: t\nobjectives: { rto: 2m, rpo: 5s }\nsource:\n  folderCopy: { folder: ${folder} }\n`);
    const { drill, problems } = inspectDrill(file);
    expect(problems).to.deep.equal([]);
    expect(drill?.recovery.target, 'no WAL: the backup itself').to.equal('immediate');
    expect((drill as { source: Record<string, unknown> }).source['folderCopy']).to.deep.equal({ folder, label: 'copy' });
    expect(createSource((drill as { source: object }).source)).to.be.instanceOf(BasebackupSource);
    const missing = inspectDrill(writeDrill(`name: t\nobjectives: { rto: 2m, rpo: 5s }\nsource:\n  folderCopy: { folder: ./nowhere }\n`));
    expect(missing.problems.map((p) => `${p.path}: ${p.message}`).join()).to.match(/^source\.folderCopy\.folder: \.\/nowhere not found/);
    const timed = inspectDrill(writeDrill(`name: t\nobjectives: { rto: 2m, rpo: 5s }\nsource:\n  folderCopy: { folder: ${folder} }\nrecovery: { target: latest }\n`));
    expect(timed.problems.map((p) => p.message)).to.deep.equal(['a folder copy holds no WAL (latest)']);
    const both = inspectDrill(writeDrill(`name: t\nobjectives: { rto: 2m, rpo: 5s }\nsource:\n  folderCopy: { folder: ${folder} }\n  dump: { path: ${folder} }\n`));
    expect(both.problems.map((p) => p.message).join()).to.contain('names dump and folderCopy; a drill restores one source');
  });

  it('no file outside a tool\'s folder names its methods or its kind of source: the folder and the registry line are all there is to touch', () => {
    const files = libraryFiles();
    const naming = (name: string) => files.filter((f) => readFileSync(path.join(ROOT, f), 'utf8').includes(`'${name}'`));
    const outside = (folder: string, name: string) => naming(name).filter((f) => !f.startsWith(`src/tools/${folder}/`));
    expect(outside('pgbackrest', 'pgbackrest')).to.deep.equal([]);
    expect(outside('barman', 'barman')).to.deep.equal([]);
    expect(outside('barman-cloud', 'barman-cloud')).to.deep.equal([]);
    expect(outside('barman-cloud', 'barmanCloud')).to.deep.equal([]);
    expect(outside('pg-basebackup', 'basebackup')).to.deep.equal([]);
    expect(outside('pg-basebackup', 'pg_basebackup-no-wal')).to.deep.equal([]);
    expect(outside('pg-dump', 'pg_dump')).to.deep.equal([]);
    expect(outside('pg-dump', 'dump')).to.deep.equal([]);
    // pg_basebackup is also a binary (the local provider requires it) and the method of a drill that names none.
    expect(outside('pg-basebackup', 'pg_basebackup')).to.have.members(['src/drill/schema.ts', 'src/providers/local/pg-binaries.ts']);
  });
});
