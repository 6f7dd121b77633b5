// Human durations in drill files: 500ms, 30s, 7m, 1h, 1d (a backup's age), or combined like 1m30s.
import { z } from 'zod';

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

/** A duration written as 500ms, 30s, 7m, 1h; parsed to milliseconds. */
export const duration = z.string({ error: (iss) => `${iss.input === undefined ? 'is required' : `${JSON.stringify(iss.input)} is not a duration`}; ${DURATION_FIX}` }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; ${DURATION_FIX}` });
    return z.NEVER;
  }
  return ms;
});
