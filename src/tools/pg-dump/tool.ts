// pg_dump: the `pg_dump` method (every database of the drill's primary at an exported snapshot) and dumps the user
// already has (`source: dump`: -Fc, -Fd, plain SQL or pg_dumpall).
import type { Tool } from '../tool.js';
import { PgDumpMethod } from './method.js';
import { dumpSource } from './schema.js';
import { DumpSource } from './source.js';

export const pgDumpTool: Tool = {
  name: 'pg_dump',
  methods: { pg_dump: PgDumpMethod },
  source: {
    key: 'dump',
    schema: dumpSource,
    paths: { path: 'any' },
    withoutWal: (_s, target) => `a dump holds no WAL, so it cannot recover to a point in time (${target}); remove recovery.target (the dump itself is restored)`,
    create: (s: typeof dumpSource._output) => new DumpSource(s.path),
  },
};
