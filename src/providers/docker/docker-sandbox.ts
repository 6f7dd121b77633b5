// The docker provider: a drill runs whole inside one disposable container of the pgdrill image (pgdrill, the
// PostgreSQL 15 server and client tools, pgBackRest, Barman, barman-cloud: the versions the report names are
// the image's). Nothing of the host is shared but what the drill names: its files are copied in and the results
// copied out as tar streams through the engine, a source's repository is mounted read-only. So it works as an
// ordinary user of the engine, on Docker Desktop and on a remote DOCKER_HOST. This file is the engine half: is
// there an engine, and an image of this pgdrill; the run itself is runner/run-in-container.ts.
import { checkImage, connectEngine, engineConfigured, type Engine } from './engine.js';

export class DockerSandbox {
  readonly name = 'docker';
  private engine: Engine | undefined;
  private checked: string | undefined;
  /** The image's content id (sha256:…) once checked: the evidence names exactly what ran. */
  imageId: string | undefined;

  constructor(
    readonly image: string,
    readonly reason: string,
  ) {}

  /** Engine and image, checked once (exit 3 with the fix before anything starts). Returns the reason as reported. */
  async describe(): Promise<string> {
    if (this.checked) return this.checked;
    const engine = await this.connected();
    const labels = await checkImage(engine, this.image);
    this.imageId = labels.id;
    this.checked = `${this.reason}; image ${this.image} (pgdrill ${labels.pgdrillVersion}), Docker ${engine.serverVersion}`;
    return this.checked;
  }

  async connected(): Promise<Engine> {
    this.engine ??= await connectEngine();
    return this.engine;
  }
}

/** auto: true when an engine answers and holds (or pulls) an image of this pgdrill; never throws. */
export async function sandboxAvailable(image: string): Promise<boolean> {
  if (!engineConfigured()) return false;
  try {
    await new DockerSandbox(image, 'probe').describe();
    return true;
  } catch {
    return false;
  }
}
