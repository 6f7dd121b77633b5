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
  /** A fact people should see as it happens (which backup was chosen, and how). */
  note?(text: string): void;
}

export class Timeline {
  readonly phases: PhaseRecord[] = [];
  readonly origin = performance.now();
  private rtoStarted = false;

  constructor(private readonly listener?: PhaseListener) {}

  elapsed(): number {
    return (performance.now() - this.origin) / 1000;
  }

  /** The incident is declared: from now on, phases marked inRto count towards the RTO. */
  startRto(): void {
    this.rtoStarted = true;
  }

  /**
   * The RTO as measured: the sum of the inRto phases (archive-wal, restore-files, wal-replay, verify), so the
   * phase table adds up to it. Undefined until the incident is declared. Whether the objective was met is the
   * judge's decision (it also needs the recovery to be verified).
   */
  rtoSeconds(): number | undefined {
    if (!this.rtoStarted) return undefined;
    return this.phases.filter((p) => p.inRto).reduce((sum, p) => sum + p.seconds, 0);
  }

  note(text: string): void {
    this.listener?.note?.(text);
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
