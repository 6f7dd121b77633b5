// Times as PostgreSQL writes and reads them: exact microseconds (JavaScript dates stop at milliseconds, and data
// loss is measured in microseconds on the database clock), ISO text from SQL, and the form recovery_target_time takes.

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

/** SQL that renders a timestamptz as ISO 8601 UTC with microseconds (2026-11-23T19:44:40.326241Z), whatever the session's time zone. */
export function isoUtc(expr: string): string {
  return `to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** recovery_target_time rejects ISO 8601's "T...Z" form: 2026-11-23T19:44:40.3Z -> 2026-11-23 19:44:40.3+00. */
export function postgresTimestamp(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(iso.trim());
  if (!m) return iso;
  return `${m[1]} ${m[2]}${m[3] === 'Z' ? '+00' : m[3]}`;
}
