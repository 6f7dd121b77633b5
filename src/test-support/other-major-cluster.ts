// A cluster of another PostgreSQL major (server binaries from pgdrill's cache: `pgdrill postgres install`),
// backed up the old-fashioned way, with none of pgdrill's code: the low-level backup API (pg_backup_start, a
// file copy, pg_backup_stop writing backup_label) and an archive_command that copies segments with cp.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { asRoot, own, sh } from './host.js';

export interface OtherMajorCluster {
  root: string;
  backupDir: string;
  archiveDir: string;
  rowsAfterBackup: number;
  totalRows: number;
  stop(): void;
}

export async function otherMajorCluster(root: string, binDir: string, port: number): Promise<OtherMajorCluster> {
  const dataDir = path.join(root, 'data');
  const archiveDir = path.join(root, 'archive');
  const backupDir = path.join(root, 'backup');
  for (const d of [root, archiveDir]) own(d);
  sh(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust']);
  appendFileSync(
    path.join(dataDir, 'postgresql.conf'),
    [`port = ${port}`, `listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${root}'`, 'wal_level = replica', 'archive_mode = on', `archive_command = 'test ! -f ${archiveDir}/%f && cp %p ${archiveDir}/%f'`, ''].join('\n'),
  );
  sh(path.join(binDir, 'pg_ctl'), ['start', '-w', '-D', dataDir, '-l', path.join(root, 'server.log')]);
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    await client.query('create table accounts (id int primary key, balance numeric)');
    await client.query('insert into accounts select g, g from generate_series(1, 2000) g');
    // The low-level API: start, copy the files (without pg_wal's contents and the postmaster's own files), stop.
    await client.query(`select pg_backup_start('nightly', true)`);
    own(backupDir);
    cpSync(dataDir, backupDir, { recursive: true, filter: (src) => !/\/(postmaster\.pid|postmaster\.opts)$/.test(src) && !src.startsWith(path.join(dataDir, 'pg_wal') + '/') });
    const stop = await client.query<{ labelfile: string }>('select labelfile from pg_backup_stop(true)');
    writeFileSync(path.join(backupDir, 'backup_label'), stop.rows[0]?.labelfile ?? '');
    // Life goes on: these rows exist only in the archive.
    await client.query('insert into accounts select g, g from generate_series(2001, 2600) g');
    const { rows } = await client.query<{ f: string }>('select pg_walfile_name(pg_current_wal_lsn()) as f');
    await client.query('select pg_switch_wal()');
    for (let i = 0; i < 300; i++) {
      const a = await client.query<{ w: string | null }>('select last_archived_wal as w from pg_stat_archiver');
      if ((a.rows[0]?.w ?? '') >= (rows[0]?.f ?? '')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await client.end();
  }
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', backupDir]);
  return {
    root,
    backupDir,
    archiveDir,
    rowsAfterBackup: 600,
    totalRows: 2600,
    stop: () => {
      sh(path.join(binDir, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w']);
    },
  };
}
