// A PostgreSQL 15 cluster whose backups live on object storage only, set up the way the backup guides say and with
// none of pgdrill's code: pgBackRest with repo1 on S3 (keys in its own config file) and barman-cloud (keys in the
// environment), both fed by archive_command, one full backup each, and rows written after the backups.
import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findPgBinaries } from '../providers/local/pg-binaries.js';
import { asRoot, freePort, own, sh as runAs } from './host.js';
import type { S3Server } from './s3-server.js';

export interface CloudCluster {
  root: string;
  pgbackrestConf: string;
  stanza: string;
  /** barman-cloud: destination URL and server name; credentials in `awsEnv`. */
  barmanDestination: string;
  barmanServer: string;
  awsEnv: Record<string, string>;
  totalRows: number;
  psql(sql: string): string;
  stop(): void;
}

export async function cloudCluster(root: string, s3: S3Server, bucket: string): Promise<CloudCluster> {
  const bin = findPgBinaries(15).binDir;
  const dataDir = path.join(root, 'data');
  const stanza = 'cloud';
  const barmanServer = 'cloud-pg';
  const barmanDestination = `s3://${bucket}/barman`;
  const awsEnv = {
    AWS_ACCESS_KEY_ID: s3.accessKey,
    AWS_SECRET_ACCESS_KEY: s3.secretKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CA_BUNDLE: s3.caFile,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
  };
  const sh = (file: string, args: string[]) => runAs(file, args, { cwd: root, env: { ...process.env, ...awsEnv } });
  for (const d of [root, path.join(root, 'pgbackrest-state')]) own(d);
  const port = await freePort();
  const pgbackrestConf = path.join(root, 'pgbackrest.conf');
  writeFileSync(
    pgbackrestConf,
    [
      '[global]',
      'repo1-type=s3',
      `repo1-s3-bucket=${bucket}`,
      `repo1-s3-endpoint=${s3.host}`,
      `repo1-storage-port=${s3.port}`,
      'repo1-s3-uri-style=path',
      'repo1-s3-region=us-east-1',
      `repo1-s3-key=${s3.accessKey}`,
      `repo1-s3-key-secret=${s3.secretKey}`,
      `repo1-storage-ca-file=${s3.caFile}`,
      'repo1-path=/pgbackrest',
      'repo1-retention-full=2',
      `lock-path=${root}/pgbackrest-state`,
      `log-path=${root}/pgbackrest-state`,
      'log-level-file=off',
      'start-fast=y',
      '',
      `[${stanza}]`,
      `pg1-path=${dataDir}`,
      `pg1-port=${port}`,
      `pg1-socket-path=${root}`,
      'pg1-user=postgres',
      '',
    ].join('\n'),
    { mode: 0o640 },
  );
  if (asRoot) execFileSync('chown', ['postgres:postgres', pgbackrestConf]);
  sh(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust']);
  const endpoint = `--endpoint-url=${s3.endpoint}`;
  appendFileSync(
    path.join(dataDir, 'postgresql.conf'),
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${root}'`,
      'wal_level = replica',
      // A server in Tokyo (east of UTC): barman-cloud prints its backup times in the database's zone.
      `timezone = 'Asia/Tokyo'`,
      `log_timezone = 'Asia/Tokyo'`,
      'archive_mode = on',
      `archive_command = 'pgbackrest --config=${pgbackrestConf} --stanza=${stanza} archive-push %p && barman-cloud-wal-archive ${endpoint} ${barmanDestination} ${barmanServer} %p'`,
      '',
    ].join('\n'),
  );
  // The server's environment carries the cloud credentials its archive_command needs (as a systemd unit would).
  sh(path.join(bin, 'pg_ctl'), ['start', '-w', '-D', dataDir, '-l', path.join(root, 'server.log')]);
  const psql = (sql: string) => sh(path.join(bin, 'psql'), ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', root, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', sql]);
  psql('create table ledger (id bigint primary key, amount numeric)');
  psql('insert into ledger select g, g from generate_series(1, 3000) g');
  const pgbackrest = (...args: string[]) => sh('pgbackrest', [`--config=${pgbackrestConf}`, `--stanza=${stanza}`, ...args]);
  pgbackrest('stanza-create');
  pgbackrest('check');
  pgbackrest('--type=full', 'backup');
  sh('barman-cloud-backup', [endpoint, '-h', root, '-p', String(port), '-U', 'postgres', barmanDestination, barmanServer]);
  psql('insert into ledger select g, g from generate_series(3001, 3400) g');
  const segment = psql('select pg_walfile_name(pg_current_wal_lsn())').trim();
  psql('select pg_switch_wal()');
  for (let i = 0; i < 600 && psql('select coalesce(last_archived_wal, \'\') from pg_stat_archiver').trim() < segment; i++) await new Promise((r) => setTimeout(r, 100));
  return {
    root,
    pgbackrestConf,
    stanza,
    barmanDestination,
    barmanServer,
    awsEnv,
    totalRows: 3400,
    psql,
    stop: () => {
      sh(path.join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w']);
    },
  };
}
