// Chooses where a drill runs: the drill's `provider`, overridden by --provider. `local`: here, with the local
// provider's binaries. `docker`: the whole drill inside a container of the pgdrill image. `auto`: docker when an
// engine answers and holds an image of this pgdrill, else local; the result says which and why.
import { defaultImage } from './docker/engine.js';
import { DockerSandbox, sandboxAvailable } from './docker/docker-sandbox.js';
import { LocalProvider } from './local/local-provider.js';

export type ProviderChoice = 'auto' | 'local' | 'docker';

export type Placement = { where: 'local'; reason: string } | { where: 'docker'; sandbox: DockerSandbox };

export async function placeDrill(choice: ProviderChoice, image: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Placement> {
  const img = image ?? defaultImage(env);
  switch (choice) {
    case 'local':
      return { where: 'local', reason: 'local: chosen in the drill file or with --provider' };
    case 'docker':
      return { where: 'docker', sandbox: new DockerSandbox(img, 'docker: chosen in the drill file or with --provider') };
    case 'auto':
      if (await sandboxAvailable(img)) return { where: 'docker', sandbox: new DockerSandbox(img, `auto: a Docker engine answers and holds ${img}`) };
      return { where: 'local', reason: `auto: native binaries (no Docker engine with ${img})` };
  }
}

/** The local provider for a self-contained drill placed here. */
export function localProvider(placement: { reason: string }, env: NodeJS.ProcessEnv = process.env): LocalProvider {
  return new LocalProvider(placement.reason, env);
}
