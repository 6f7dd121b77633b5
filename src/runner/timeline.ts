// Phases of a drill on a monotonic clock (performance.now), with wall-clock stamps for people. A long phase can
// say how far it got: a sampler (bytes restored, WAL fetched, bytes streamed by the server) read every
// PGDRILL_PROGRESS_SECONDS (default 5) while the phase runs, passed to the listener as a progress line.
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
  /** How far a long phase got, every progress interval while it runs. */
  progress?(name: string, sample: ProgressSample, phaseSeconds: number, elapsedSeconds: number): void;
  /** A line of the same drill's progress, run elsewhere (inside a container), shown as it came. */
  relay?(line: string): void;
}

/** Bytes done of a phase, and the total when known (a backup's size, the WAL up to the target). */
export interface ProgressSample {
  done: number;
  total?: number | undefined;
}

export type ProgressSampler = () => ProgressSample | undefined | Promise<ProgressSample | undefined>;

/** Seconds between progress lines: PGDRILL_PROGRESS_SECONDS, default 5 (0 turns them off). */
export function progressIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env['PGDRILL_PROGRESS_SECONDS'] ?? 5);
  return Number.isFinite(v) && v >= 0 ? v * 1000 : 5000;
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

  /**
   * `progress`: read every interval while the phase runs. `lastReport`: where the phase keeps its last report in
   * memory, read at once when the phase ends without having shown a line though it outlasted the interval.
   */
  async phase<T>(name: string, fn: () => Promise<T>, opts: { inRto?: boolean; progress?: ProgressSampler | undefined; lastReport?: () => ProgressSample | undefined } = {}): Promise<T> {
    const startedAt = new Date();
    const t0 = performance.now();
    this.listener?.phaseStarted(name, this.elapsed());
    let status: PhaseRecord['status'] = 'failed';
    const stopProgress = this.sample(name, t0, opts.progress, opts.lastReport);
    try {
      const value = await fn();
      status = 'ok';
      return value;
    } finally {
      stopProgress();
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

  /** Reads the sampler every interval while a phase runs (never two reads at once); returns the stop. */
  private sample(name: string, t0: number, sampler: ProgressSampler | undefined, lastReport: (() => ProgressSample | undefined) | undefined): () => void {
    const listener = this.listener;
    const every = progressIntervalMs();
    if (!sampler || !listener?.progress || every === 0) return () => undefined;
    let busy = false;
    let stopped = false;
    let shown = false;
    const show = (sample: ProgressSample) => {
      shown = true;
      listener.progress?.(name, sample, (performance.now() - t0) / 1000, this.elapsed());
    };
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      Promise.resolve()
        .then(sampler)
        .then((sample) => {
          if (sample && !stopped) show(sample);
        })
        .catch(() => undefined) // a sample that cannot be read (a file vanishing mid-walk) is skipped
        .finally(() => (busy = false));
    }, every);
    timer.unref();
    return () => {
      stopped = true;
      clearInterval(timer);
      // A phase that outlasted the interval shows at least one line: the last report, where the phase keeps one
      // (pg_checksums' own reports come at second boundaries, so a short run may have had none at a tick).
      const last = !shown && performance.now() - t0 >= every ? lastReport?.() : undefined;
      if (last) show(last);
    };
  }
}
