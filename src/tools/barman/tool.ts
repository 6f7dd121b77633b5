// Barman: the `barman` method (streaming, a configuration of the drill's own) and servers the user already has
// (`source: barman`, through their barman.conf).
import type { Tool } from '../tool.js';
import { BarmanMethod } from './method.js';
import { barmanSource } from './schema.js';
import { BarmanSource } from './source.js';

export const barmanTool: Tool = {
  name: 'Barman',
  methods: { barman: BarmanMethod },
  source: {
    key: 'barman',
    schema: barmanSource,
    paths: { config: 'file' },
    selection: 'backup',
    create: (s: typeof barmanSource._output, seed) => new BarmanSource(s.config, s.server, s.backup, seed),
  },
};
