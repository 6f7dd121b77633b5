// Human durations in drill files: 500ms, 30s, 7m, 1h, or combined like 1m30s.

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;

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

export const DURATION_FIX = 'write a number with a unit, e.g. 500ms, 30s, 7m, 1h or 1m30s';

/** Formats seconds for people: 0.116s, 4.2s, 2m 5s, 1h 2m. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 1) return `${Number(seconds.toFixed(3))}s`;
  if (seconds < 60) return `${Number(seconds.toFixed(1))}s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds - m * 60);
    return s ? `${m}m ${s}s` : `${m}m`;
  }
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds - h * 3600) / 60);
  return m ? `${h}h ${m}m` : `${h}h`;
}
