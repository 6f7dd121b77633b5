// Whether a compressed value stored in a page would decompress, decided the way PostgreSQL's own
// decompressors decide it, without producing the output: both formats are back-references into what was
// already written, so whether a stream decodes depends on its lengths and offsets only, never on the bytes.
//  - pglz (src/common/pg_lzcompress.c, called with check_complete): every tag must stay inside the source,
//    reach back no further than what was written, and the stream must end exactly where the source and the
//    raw size both end ("compressed pglz data is corrupt").
//  - lz4 (LZ4_decompress_safe, bounded by the raw size): literals and matches must stay inside the source
//    and the output, a match must not reach before the start, and the stream must end on literals ("compressed
//    lz4 data is corrupt"). LZ4's stricter end-of-block rules are not enforced: a value they alone would
//    refuse is not reported, so this never calls a value damaged that LZ4 would decode.

/** pglz: the compressed bytes src[from, to) decode to exactly `rawSize` bytes. */
export function pglzDecodes(src: Uint8Array, from: number, to: number, rawSize: number): boolean {
  let sp = from;
  let dp = 0;
  while (sp < to && dp < rawSize) {
    let ctrl = src[sp++] ?? 0;
    for (let c = 0; c < 8 && sp < to && dp < rawSize; c++) {
      if (ctrl & 1) {
        const b0 = src[sp] ?? 0;
        let len = (b0 & 0x0f) + 3;
        const off = ((b0 & 0xf0) << 4) | (src[sp + 1] ?? 0);
        sp += 2;
        if (len === 18) len += src[sp++] ?? 0;
        if (sp > to || off === 0 || off > dp) return false;
        dp += Math.min(len, rawSize - dp);
      } else {
        sp++;
        dp++;
      }
      ctrl >>= 1;
    }
  }
  return dp === rawSize && sp === to;
}

/** An LZ4 length of 15 goes on in the bytes after it, each adding itself, until one is not 255. */
function extension(src: Uint8Array, at: number, to: number): { add: number; at: number } | undefined {
  let add = 0;
  let b: number;
  do {
    if (at >= to) return undefined;
    b = src[at++] ?? 0;
    add += b;
  } while (b === 255);
  return { add, at };
}

/** lz4: the block src[from, to) decodes into at most `rawSize` bytes. */
export function lz4Decodes(src: Uint8Array, from: number, to: number, rawSize: number): boolean {
  let ip = from;
  let op = 0;
  for (;;) {
    if (ip >= to) return false;
    const token = src[ip++] ?? 0;
    let literals = token >>> 4;
    if (literals === 15) {
      const more = extension(src, ip, to);
      if (!more) return false;
      [literals, ip] = [literals + more.add, more.at];
    }
    if (ip + literals > to || op + literals > rawSize) return false;
    ip += literals;
    op += literals;
    if (ip === to) return true; // the last sequence: literals only
    if (ip + 2 > to) return false;
    const offset = (src[ip] ?? 0) | ((src[ip + 1] ?? 0) << 8);
    ip += 2;
    if (offset > op) return false;
    let match = (token & 15) + 4;
    if ((token & 15) === 15) {
      const more = extension(src, ip, to);
      if (!more) return false;
      [match, ip] = [match + more.add, more.at];
    }
    if (op + match > rawSize) return false;
    op += match;
  }
}
