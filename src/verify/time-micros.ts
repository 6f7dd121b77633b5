// Commit times as exact microseconds: JavaScript dates stop at milliseconds, and data loss is measured in
// microseconds on the database clock.

/** Microseconds since the epoch of "2026-11-23 19:44:40.326241+00" (JavaScript dates stop at milliseconds). */
export function timeMicros(time: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(time.trim());
  if (!m) {
    const ms = Date.parse(time);
    return Number.isNaN(ms) ? undefined : ms * 1000;
  }
  const zone = m[4] === 'Z' ? 'Z' : `${m[4]?.slice(0, 3)}:${m[4]?.slice(3).replace(':', '') || '00'}`;
  const seconds = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return seconds * 1000 + Number((m[3] ?? '').padEnd(6, '0'));
}
