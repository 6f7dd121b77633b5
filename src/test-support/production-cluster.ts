// A production-like PostgreSQL 15 cluster built the way a DBA sets one up, with plain commands and none of
// pgdrill's code: Debian-style configuration outside the data folder, a tablespace, continuous archiving into a
// gzipped WAL archive, production-sized settings in postgresql.auto.conf, and a pg_basebackup -Ft -z backup.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { findPgBinaries } from '../providers/local/pg-binaries.js';
import { asRoot, freePort, own, sh as runAs } from './host.js';

const sh = (file: string, args: string[], cwd: string) => runAs(file, args, { cwd });

export interface ProductionCluster {
  root: string;
  dataDir: string;
  etcDir: string;
  archiveDir: string;
  backupDir: string;
  tablespaceDir: string;
  /** A plain pg_basebackup taken with --waldir (pg_wal a link to `plainWalDir`) and its tablespace mapped. */
  plainBackupDir: string;
  plainWalDir: string;
  plainTablespaceDir: string;
  /** pgBackRest: its config file (in the /etc-style folder), the stanza and the repository. */
  pgbackrestConf: string;
  stanza: string;
  repoDir: string;
  /** Barman: its config (with the server in a barman.d file), the server name and Barman's home. */
  barmanConf: string;
  barmanServer: string;
  barmanHome: string;
  /** pg_dump -Fc of the database app, and a pg_dumpall file of the cluster. */
  customDump: string;
  dumpallFile: string;
  port: number;
  psql(sql: string): string;
  /** Password authentication (scram) for this role over TCP, as production clusters have it. */
  requirePassword(role: string): void;
  stop(): void;
}

export async function productionCluster(root: string): Promise<ProductionCluster> {
  const bin = findPgBinaries(15).binDir;
  const tool = (name: string) => path.join(bin, name);
  const dataDir = path.join(root, 'data');
  const etcDir = path.join(root, 'etc');
  const archiveDir = path.join(root, 'wal-archive');
  const backupDir = path.join(root, 'backups', 'base-1');
  const tablespaceDir = path.join(root, 'tablespaces', 'fast');
  const repoDir = path.join(root, 'pgbackrest-repo');
  const barmanHome = path.join(root, 'barman-home');
  const barmanConf = path.join(etcDir, 'barman.conf');
  const barmanServer = 'prod';
  const pgbackrestConf = path.join(etcDir, 'pgbackrest.conf');
  const stanza = 'main';
  for (const d of [root, etcDir, path.join(etcDir, 'barman.d'), barmanHome, archiveDir, path.join(root, 'backups'), path.join(root, 'tablespaces'), tablespaceDir, repoDir, path.join(root, 'pgbackrest-state')]) own(d);
  const port = await freePort();
  sh(tool('initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--data-checksums'], root);
  // Debian keeps the configuration in /etc/postgresql/<major>/<cluster>: move it out of the data folder.
  for (const f of ['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf']) renameSync(path.join(dataDir, f), path.join(etcDir, f));
  appendFileSync(
    path.join(etcDir, 'postgresql.conf'),
    [
      `data_directory = '${dataDir}'`,
      `hba_file = '${etcDir}/pg_hba.conf'`,
      `ident_file = '${etcDir}/pg_ident.conf'`,
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${root}'`,
      'wal_level = replica',
      'archive_mode = on',
      // Archived twice, as some teams do: a gzipped folder, and pgBackRest (set up below, after stanza-create).
      `archive_command = 'test ! -f ${archiveDir}/%f.gz && gzip -c %p > ${archiveDir}/%f.gz'`,
      // Quiet unless switched, so the archive holds still while a test hashes it.
      'archive_timeout = 0',
      '',
    ].join('\n'),
  );
  sh(tool('pg_ctl'), ['start', '-w', '-D', etcDir, '-l', path.join(root, 'server.log'), '-o', `-c config_file=${etcDir}/postgresql.conf`], root);
  const psql = (sql: string) => sh(tool('psql'), ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', root, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', sql], root);
  // Production-sized settings the drill machine cannot run; they take effect only at a restart, so this
  // cluster keeps running, but its backup carries them (postgresql.auto.conf is in the data folder).
  psql(`alter system set shared_buffers = '64GB'`);
  psql(`alter system set ssl = on`);
  psql(`alter system set shared_preload_libraries = 'pg_stat_statements,not_installed_ext'`);
  psql(`create tablespace fast location '${tablespaceDir}'`);
  psql(`create table orders (id bigint primary key, total numeric, created_at timestamptz default now())`);
  psql(`create table events (id bigint generated always as identity, what text) tablespace fast`);
  psql(`insert into orders select g, g * 1.5 from generate_series(1, 5000) g`);
  psql(`insert into events (what) select 'before backup ' || g from generate_series(1, 1000) g`);
  sh(tool('pg_basebackup'), ['-h', root, '-p', String(port), '-U', 'postgres', '-D', backupDir, '-Ft', '-z', '--checkpoint=fast'], root);
  const plainBackupDir = path.join(root, 'backups', 'plain-1');
  const plainWalDir = path.join(root, 'backups', 'plain-1-wal');
  const plainTablespaceDir = path.join(root, 'backups', 'plain-1-fast');
  sh(tool('pg_basebackup'), ['-h', root, '-p', String(port), '-U', 'postgres', '-D', plainBackupDir, '-Fp', '--waldir', plainWalDir, '-T', `${tablespaceDir}=${plainTablespaceDir}`, '--checkpoint=fast'], root);
  // pgBackRest, configured by its own file as a DBA would: stanza, then archive-push, a full and an incremental.
  writeFileSync(
    pgbackrestConf,
    [
      '[global]',
      `repo1-path=${repoDir}`,
      'repo1-retention-full=2',
      `lock-path=${root}/pgbackrest-state`,
      `log-path=${root}/pgbackrest-state`,
      'log-level-file=off',
      'start-fast=y',
      '',
      // A restore section, as a DBA tunes it: pgdrill's restores must run with it.
      '[global:restore]',
      'process-max=2',
      '',
      `[${stanza}]`,
      `pg1-path=${dataDir}`,
      `pg1-port=${port}`,
      `pg1-socket-path=${root}`,
      'pg1-user=postgres',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const pgbackrest = (...args: string[]) => sh('pgbackrest', [`--config=${pgbackrestConf}`, `--stanza=${stanza}`, ...args], root);
  pgbackrest('stanza-create');
  psql(`alter system set archive_command = 'test ! -f ${archiveDir}/%f.gz && gzip -c %p > ${archiveDir}/%f.gz && pgbackrest --config=${pgbackrestConf} --stanza=${stanza} archive-push %p'`);
  psql('select pg_reload_conf()');
  pgbackrest('check');
  pgbackrest('--type=full', 'backup');
  psql(`insert into orders select g, g * 1.5 from generate_series(5001, 5500) g`);
  pgbackrest('--type=incr', 'backup');
  // Barman too, streaming over a replication slot (backup_method = postgres), its server in a barman.d file.
  const receiver = startBarman(root, { barmanConf, barmanHome, barmanServer, etcDir, port, binDir: bin });
  // Life goes on after the backups: these rows exist only in the WAL archives.
  psql(`insert into orders select g, g * 1.5 from generate_series(5501, 6000) g`);
  psql(`insert into events (what) select 'after backup ' || g from generate_series(1, 500) g`);
  const segment = psql('select pg_walfile_name(pg_current_wal_lsn())').trim();
  psql('select pg_switch_wal()');
  await untilBarmanArchived(root, barmanConf, barmanServer, segment);
  // Barman's home holds still from here on (a test hashes it): streaming stops, the slot stays.
  receiver.stop();
  // Nightly dumps too: a custom-format dump of the application database and a pg_dumpall of the cluster.
  const dumps = path.join(root, 'dumps');
  own(dumps);
  psql('create database app');
  sh(tool('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', root, '-p', String(port), '-U', 'postgres', '-d', 'app', '-c', `create table invoices (id int primary key, amount numeric); insert into invoices select g, g from generate_series(1, 300) g`], root);
  const customDump = path.join(dumps, 'app.dump');
  const dumpallFile = path.join(dumps, 'cluster.sql');
  sh(tool('pg_dump'), ['-h', root, '-p', String(port), '-U', 'postgres', '-Fc', '-d', 'app', '-f', customDump], root);
  sh(tool('pg_dumpall'), ['-h', root, '-p', String(port), '-U', 'postgres', '-f', dumpallFile], root);
  // Archived means the archiver says so (the file appears before gzip has finished writing it).
  for (let i = 0; i < 500 && psql('select last_archived_wal from pg_stat_archiver').trim() < segment; i++) await new Promise((r) => setTimeout(r, 20));
  writeFileSync(path.join(root, 'README'), 'a production-like cluster built by the tests\n');
  return {
    root,
    dataDir,
    etcDir,
    archiveDir,
    backupDir,
    tablespaceDir,
    plainBackupDir,
    plainWalDir,
    plainTablespaceDir,
    pgbackrestConf,
    stanza,
    repoDir,
    barmanConf,
    barmanServer,
    barmanHome,
    customDump,
    dumpallFile,
    port,
    psql,
    requirePassword: (role: string) => {
      const hba = path.join(etcDir, 'pg_hba.conf');
      writeFileSync(hba, `host all ${role} 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`);
      psql('select pg_reload_conf()');
    },
    stop: () => {
      sh(tool('pg_ctl'), ['stop', '-D', etcDir, '-m', 'fast', '-w', '-o', `-c config_file=${etcDir}/postgresql.conf`], root);
    },
  };
}

interface BarmanSetup {
  barmanConf: string;
  barmanHome: string;
  barmanServer: string;
  etcDir: string;
  port: number;
  binDir: string;
}

/** Barman as a DBA configures it: a global file, the server in barman.d, receive-wal running, a first backup. */
function startBarman(root: string, b: BarmanSetup): { stop(): void } {
  const user = asRoot ? 'postgres' : userInfo().username;
  writeFileSync(b.barmanConf, ['[barman]', `barman_home = ${b.barmanHome}`, `barman_user = ${user}`, `log_file = ${path.join(b.barmanHome, 'barman.log')}`, 'log_level = INFO', `configuration_files_directory = ${path.join(b.etcDir, 'barman.d')}`, ''].join('\n'), { mode: 0o644 });
  const conninfo = `host=127.0.0.1 port=${b.port} user=postgres dbname=postgres`;
  writeFileSync(
    path.join(b.etcDir, 'barman.d', `${b.barmanServer}.conf`),
    [`[${b.barmanServer}]`, 'description = production cluster', `conninfo = ${conninfo}`, `streaming_conninfo = ${conninfo}`, 'backup_method = postgres', 'streaming_archiver = on', 'archiver = off', 'slot_name = barman_prod', `path_prefix = ${b.binDir}`, 'immediate_checkpoint = true', ''].join('\n'),
    { mode: 0o644 },
  );
  const barman = (...args: string[]) => sh('barman', ['-c', b.barmanConf, ...args], root);
  barman('receive-wal', '--create-slot', b.barmanServer);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', 'barman', '-c', b.barmanConf, 'receive-wal', b.barmanServer]] : ['barman', ['-c', b.barmanConf, 'receive-wal', b.barmanServer]];
  const child = spawn(cmd, argv, { cwd: root, detached: true, stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  const attached = () => sh(path.join(b.binDir, 'psql'), ['-X', '-At', '-h', '127.0.0.1', '-p', String(b.port), '-U', 'postgres', '-d', 'postgres', '-c', `select count(*) from pg_replication_slots where slot_name = 'barman_prod' and active`], root).trim() === '1';
  while (!attached()) {
    if (Date.now() > deadline) throw new Error('barman receive-wal did not attach to its slot within 30 s');
    execFileSync('sleep', ['0.1']);
  }
  barman('switch-wal', '--force', '--archive', '--archive-timeout', '60', b.barmanServer);
  barman('backup', '--wait', '--wait-timeout', '60', b.barmanServer);
  return {
    stop: () => {
      // The whole process group: barman receive-wal runs pg_receivewal as its child.
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    },
  };
}

/** Waits until Barman's archive holds the segment (what `barman cron` does, run by hand). */
async function untilBarmanArchived(root: string, conf: string, server: string, segment: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    sh('barman', ['-c', conf, 'archive-wal', server], root);
    const show = JSON.parse(sh('barman', ['-c', conf, '-f', 'json', 'show-server', server], root)) as Record<string, Record<string, string>>;
    const wals = show[server]?.['wals_directory'] ?? '';
    if (existsSync(path.join(wals, segment.slice(0, 16), segment))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`barman did not archive ${segment} within 60 s`);
}
