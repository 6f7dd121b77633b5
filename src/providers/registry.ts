// Chooses the provider for a drill: the drill's `provider`, overridden by --provider. `auto` picks docker when a
// Docker engine answers, the image is present and the drill's backup method runs in containers; else local.
// Adding a provider is one folder and one case here.
import path from 'node:path';
import type { Drill } from '../drill/drill.js';
import { methodFacts } from '../backup/registry.js';
import { DEFAULT_IMAGE, DockerProvider, dockerAvailable } from './docker/docker-provider.js';
import { LocalProvider } from './local/local-provider.js';
import type { Provider } from './provider.js';

export type ProviderChoice = 'auto' | 'local' | 'docker';


export function createProvider(choice: ProviderChoice, drill?: Drill, env: NodeJS.ProcessEnv = process.env): Provider {
  const image = drill?.postgres.image ?? env['PGDRILL_IMAGE'] ?? DEFAULT_IMAGE;
  const mounts = [process.cwd(), ...new Set((drill?.fixturePaths ?? []).map((f) => path.dirname(f)))];
  switch (choice) {
    case 'local':
      return new LocalProvider('local: chosen in the drill file or with --provider', env);
    case 'docker':
      return new DockerProvider(image, 'docker: chosen in the drill file or with --provider', mounts);
    case 'auto': {
      const method = drill?.backup.method ?? 'pg_basebackup';
      const inContainers = methodFacts(method)?.runsInContainer ?? false;
      const root = typeof process.getuid !== 'function' || process.getuid() === 0;
      if (root && inContainers && dockerAvailable(image)) {
        return new DockerProvider(image, `auto: a Docker engine answers and ${image} is present`, mounts);
      }
      const why = !inContainers
        ? `backup method ${method} runs on the host`
        : !root
          ? 'the docker provider needs root in this release'
          : `no Docker engine with ${image}`;
      return new LocalProvider(`auto: native PostgreSQL 15 binaries (${why})`, env);
    }
  }
}
