// Human progress on stderr: each phase as it starts and ends with elapsed time. Colour only on a TTY and
// without NO_COLOR; plain lines otherwise (CI logs).
import type { PhaseListener, PhaseRecord, ProgressSample } from '../runner/timeline.js';
import { formatSeconds } from '../model/format.js';

export interface Output {
  write(text: string): void;
  isTTY?: boolean;
}

export function useColor(stream: Output, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in env) && env['TERM'] !== 'dumb';
}

export function paint(on: boolean) {
  const wrap = (code: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), dim: wrap(2), bold: wrap(1) };
}

const stamp = (seconds: number) => `[${seconds.toFixed(1).padStart(6)}s]`;

/** Phase lines; `prefix` names the drill when several run at once. */
export function progressListener(out: Output, color: boolean, prefix = ''): PhaseListener {
  const c = paint(color);
  const p = prefix ? `${c.bold(prefix)} ` : '';
  return {
    phaseStarted(name, elapsed) {
      out.write(`${c.dim(stamp(elapsed))} ${p}${name} ...\n`);
    },
    note(text) {
      out.write(`${p}  ${text}\n`);
    },
    relay(line) {
      out.write(`${p}${line}\n`);
    },
    progress(name, sample, phaseSeconds, elapsed) {
      out.write(`${c.dim(stamp(elapsed))} ${p}${name} ${progressText(sample, phaseSeconds)}\n`);
    },
    phaseEnded(record: PhaseRecord, elapsed) {
      const mark = record.status === 'ok' ? c.green('ok') : c.red('FAILED');
      out.write(`${c.dim(stamp(elapsed))} ${p}${record.name} ${mark} ${formatSeconds(record.seconds)}${record.inRto ? c.dim(' (RTO)') : ''}\n`);
    },
  };
}

/** "1.2 GB of 1.6 GB (75%), 290 MB/s, about 1s left"; without a total, what is done and the rate. */
export function progressText(sample: ProgressSample, phaseSeconds: number): string {
  const rate = phaseSeconds > 0 ? sample.done / phaseSeconds : 0;
  const rateText = `${bytes(rate)}/s`;
  if (!sample.total || sample.total <= 0) return `${bytes(sample.done)} so far, ${rateText}`;
  // WAL is fetched by whole segments: the last one may reach past the target.
  const done = Math.min(sample.done, sample.total);
  const pct = Math.floor((100 * done) / sample.total);
  const left = sample.total <= done ? 'finishing' : rate > 0 ? `about ${formatSeconds((sample.total - done) / rate)} left` : 'starting';
  return `${bytes(done)} of ${bytes(sample.total)} (${pct}%), ${rateText}, ${left}`;
}

function bytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.round(n / 1e3)} kB`;
}

export function colorVerdict(verdict: string, color: boolean): string {
  const c = paint(color);
  if (verdict.startsWith('PASSED')) return c.bold(c.green(verdict));
  if (verdict.startsWith('FAILED')) return c.bold(c.red(verdict));
  return c.bold(c.yellow(verdict));
}
