// Chooses the provider for a drill: the drill's `provider`, overridden by --provider. Adding a provider is one
// folder and one case here.
import { EnvironmentError } from '../errors.js';
import { LocalProvider } from './local/local-provider.js';
import type { Provider } from './provider.js';

export type ProviderChoice = 'auto' | 'local' | 'docker';

export function createProvider(choice: ProviderChoice, env: NodeJS.ProcessEnv = process.env): Provider {
  switch (choice) {
    case 'local':
      return new LocalProvider('local: chosen in the drill file or with --provider', env);
    case 'auto':
      return new LocalProvider('auto: native PostgreSQL 15 binaries (the docker provider is not in this release)', env);
    case 'docker':
      throw new EnvironmentError('the docker provider is not available in this release of pgdrill', 'use --provider local (native PostgreSQL 15 binaries)');
  }
}
