// pg_basebackup: the `pg_basebackup` and `pg_basebackup-no-wal` methods, and base-backup folders the user already
// has with their WAL archive (`source: basebackup`).
import type { Tool } from '../tool.js';
import { PgBasebackupNoWalMethod } from './method-no-wal.js';
import { PgBasebackupMethod } from './method.js';
import { basebackupSource } from './schema.js';
import { BasebackupSource } from './source.js';

export const pgBasebackupTool: Tool = {
  name: 'pg_basebackup',
  methods: { pg_basebackup: PgBasebackupMethod, 'pg_basebackup-no-wal': PgBasebackupNoWalMethod },
  source: {
    key: 'basebackup',
    schema: basebackupSource,
    paths: { path: 'folder', walArchive: 'folder' },
    withoutWal: (s: typeof basebackupSource._output, target) =>
      s.walArchive ? undefined : `without source.basebackup.walArchive only the backup itself can be restored (${target}); add walArchive or write target immediate`,
    create: (s: typeof basebackupSource._output) => new BasebackupSource(s.path, s.walArchive),
  },
};
