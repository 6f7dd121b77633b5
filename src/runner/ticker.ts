// Runs an async step every `intervalMs` (start to start) until stopped or until the step throws.
import { setTimeout as sleep } from 'node:timers/promises';

export class Ticker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: AbortController | undefined;
  error: Error | undefined;
  ticks = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly intervalMs: number,
    private readonly step: () => Promise<void>,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Resolves after the next completed tick (or when the ticker stops). */
  nextTick(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = performance.now();
      try {
        await this.step();
        this.ticks++;
      } catch (error) {
        this.error = error as Error;
        this.running = false;
      }
      for (const w of this.waiters.splice(0)) w();
      const rest = this.intervalMs - (performance.now() - started);
      if (this.running && rest > 0) {
        this.wake = new AbortController();
        await sleep(rest, undefined, { signal: this.wake.signal }).catch(() => undefined);
      }
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Stops after the in-flight step (never interrupts a commit); idempotent. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.abort();
    await this.loop;
  }
}
