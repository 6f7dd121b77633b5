// pgBackRest: the `pgbackrest` method (a repository of the drill's own, in the work folder or on S3) and stanzas
// the user already has (`source: pgbackrest`).
import type { Tool } from '../tool.js';
import { PgBackRestMethod } from './method.js';
import { pgbackrestSource, s3Repository } from './schema.js';
import { PgBackRestSource } from './source.js';

export const pgbackrestTool: Tool = {
  name: 'pgBackRest',
  methods: { pgbackrest: PgBackRestMethod },
  options: { repo: s3Repository },
  source: {
    key: 'pgbackrest',
    schema: pgbackrestSource,
    paths: { config: 'file' },
    selection: 'set',
    create: (s: typeof pgbackrestSource._output, seed) => new PgBackRestSource(s.config, s.stanza, s.set, s.repo, seed),
  },
};
