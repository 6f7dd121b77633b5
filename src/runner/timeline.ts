// Phases of a drill on a monotonic clock (performance.now), with wall-clock stamps for people.
import { performance } from 'node:perf_hooks';

export interface PhaseRecord {
  name: string;
  startedAt: string;
  endedAt: string;
  seconds: number;
  /** Part of the recovery time objective (incident declared -> verified). */
  inRto: boolean;
  status: 'ok' | 'failed';
}

export interface PhaseListener {
  phaseStarted(name: string, elapsedSeconds: number): void;
  phaseEnded(record: PhaseRecord, elapsedSeconds: number): void;
}

export class Timeline {
  readonly phases: PhaseRecord[] = [];
  readonly origin = performance.now();
  private rtoStart: number | undefined;
  private rtoEnd: number | undefined;

  constructor(private readonly listener?: PhaseListener) {}

  elapsed(): number {
    return (performance.now() - this.origin) / 1000;
  }

  /** The incident is declared: the RTO clock starts. */
  startRto(): void {
    this.rtoStart = performance.now();
  }

  /** The recovered instance is verified and ready: the RTO clock stops. */
  stopRto(): void {
    this.rtoEnd = performance.now();
  }

  rtoSeconds(): number | undefined {
    return this.rtoStart !== undefined && this.rtoEnd !== undefined ? (this.rtoEnd - this.rtoStart) / 1000 : undefined;
  }

  async phase<T>(name: string, fn: () => Promise<T>, opts: { inRto?: boolean } = {}): Promise<T> {
    const startedAt = new Date();
    const t0 = performance.now();
    this.listener?.phaseStarted(name, this.elapsed());
    let status: PhaseRecord['status'] = 'failed';
    try {
      const value = await fn();
      status = 'ok';
      return value;
    } finally {
      const record: PhaseRecord = {
        name,
        startedAt: startedAt.toISOString(),
        endedAt: new Date().toISOString(),
        seconds: (performance.now() - t0) / 1000,
        inRto: opts.inRto ?? false,
        status,
      };
      this.phases.push(record);
      this.listener?.phaseEnded(record, this.elapsed());
    }
  }
}
