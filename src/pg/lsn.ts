// Log sequence numbers ("16/B374D848") as bigints, for WAL byte counts.

export function parseLsn(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(lsn.trim());
  if (!m) throw new Error(`not an LSN: ${lsn}`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Bytes between two LSNs (0 when either is unknown or end < start). */
export function lsnDiff(end: string | undefined, start: string | undefined): number {
  if (!end || !start) return 0;
  const d = parseLsn(end) - parseLsn(start);
  return d > 0n ? Number(d) : 0;
}
