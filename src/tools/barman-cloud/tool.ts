// barman-cloud: the `barman-cloud` method (the drill's own server below a destination, deleted at the end) and
// backups the user ships to object storage (`source: barmanCloud`).
import type { Tool } from '../tool.js';
import { BarmanCloudMethod } from './method.js';
import { barmanCloudSource, cloudDestination } from './schema.js';
import { BarmanCloudSource } from './source.js';

export const barmanCloudTool: Tool = {
  name: 'barman-cloud',
  methods: { 'barman-cloud': BarmanCloudMethod },
  options: { cloud: cloudDestination },
  source: {
    key: 'barmanCloud',
    schema: barmanCloudSource,
    selection: 'backup',
    create: (s: typeof barmanCloudSource._output, seed) => new BarmanCloudSource({ ...s, seed }),
  },
};
