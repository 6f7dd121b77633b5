// Numbers for people, the same in every output (the verdict line, reports, Slack, the terminal).

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
