// Human durations in drill files: 500ms, 30s, 7m, 1h, 1d (a backup's age), or combined like 1m30s.

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

/** Parses a duration into milliseconds, or returns undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const compact = text.trim().replace(/\s+/g, '');
  if (!WHOLE.test(compact)) return undefined;
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(PART)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return Math.round(total);
}

export const DURATION_FIX = 'write a number with a unit, e.g. 500ms, 30s, 7m, 1h, 1d or 1m30s';

/** Formats seconds for people: 0.116s, 4.2s, 2m 5s, 1h 2m. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 1) return `${Number(seconds.toFixed(3))}s`;
  if (seconds < 59.95) return `${Number(seconds.toFixed(1))}s`;
  // Round first, then split: 119.7 s is 2m, not "1m 60s".
  if (seconds < 3599.5) {
    const whole = Math.round(seconds);
    const m = Math.floor(whole / 60);
    const s = whole - m * 60;
    return s ? `${m}m ${s}s` : `${m}m`;
  }
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes - h * 60;
  return m ? `${h}h ${m}m` : `${h}h`;
}
