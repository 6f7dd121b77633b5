// Times PostgreSQL writes into backup_label and the archive's .backup history files ("START TIME: 2026-12-02
// 23:00:05 JST"): the server's log_timezone with strftime's %Z, an abbreviation that is ambiguous in general (IST
// is India, Israel or Ireland). A reading is trusted only when it agrees with an absolute time of the same backup
// (its pg_control, controlFile.ts): then the abbreviation meant what the table says.

/** Offsets in seconds of common abbreviations (as in PostgreSQL's timezonesets/Default, where it has them). */
const ABBREVIATIONS: Record<string, number> = {
  UTC: 0, UCT: 0, GMT: 0, Z: 0, WET: 0, WEST: 3600, BST: 3600, IST: 3600, CET: 3600, CEST: 7200, MET: 3600, MEST: 7200,
  EET: 7200, EEST: 10800, MSK: 10800, SAST: 7200, EAT: 10800, GST: 14400, PKT: 18000, NPT: 20700, ICT: 25200,
  WIB: 25200, HKT: 28800, SGT: 28800, AWST: 28800, CST: -21600, CDT: -18000, JST: 32400, KST: 32400, ACST: 34200,
  ACDT: 37800, AEST: 36000, AEDT: 39600, NZST: 43200, NZDT: 46800, EST: -18000, EDT: -14400, MST: -25200,
  MDT: -21600, PST: -28800, PDT: -25200, AKST: -32400, AKDT: -28800, HST: -36000, ART: -10800, BRT: -10800,
};

/** Other readings of abbreviations that mean several zones (tried when the first does not agree). */
const ALTERNATIVES: Record<string, number[]> = { IST: [19800, 7200], CST: [28800, -21600], BST: [21600] };

/**
 * The instants a label time can mean: one per reading of its zone (a numeric offset, or each meaning of an
 * abbreviation); none when it is not a label time.
 */
export function labelTimeReadings(text: string): Date[] {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.\d+)? ?([A-Za-z]+|[+-]\d{2}(?::?\d{2})?)$/.exec(text.trim());
  if (!m) return [];
  const local = Date.parse(`${m[1]}T${m[2]}Z`);
  const zone = m[3] ?? '';
  if (/^[+-]/.test(zone)) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || '0') * 60);
    return [new Date(local - offset * 1000)];
  }
  const offsets = [ABBREVIATIONS[zone.toUpperCase()], ...(ALTERNATIVES[zone.toUpperCase()] ?? [])].filter((o): o is number => o !== undefined);
  return offsets.map((o) => new Date(local - o * 1000));
}

/**
 * A label time read the one way that agrees with `anchor` (an absolute time of the same backup, within
 * `toleranceMs`), or undefined when no reading does.
 */
export function labelTime(text: string, anchor: Date, toleranceMs = 15 * 60_000): Date | undefined {
  return labelTimeReadings(text).find((d) => Math.abs(d.getTime() - anchor.getTime()) <= toleranceMs);
}

/** The offset (seconds) a label time's abbreviation turned out to mean: to read the other times it wrote. */
export function offsetOf(text: string, instant: Date): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})/.exec(text.trim());
  return m ? Math.round((Date.parse(`${m[1]}T${m[2]}Z`) - instant.getTime()) / 1000) : undefined;
}
