// Whether a compressed value decodes, by the rules of PostgreSQL's pglz and of LZ4's safe decoder, on streams
// built by hand; the real values (and real damage the server also refuses) are in integrity.integration.test.ts.
import { expect } from 'chai';
import { lz4Decodes, pglzDecodes } from './decompress.js';

const bytes = (...parts: Array<string | ArrayLike<number>>) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p)] : Array.from(p))));

describe('compressed values: do they decode (pglz, lz4)', () => {
  // pglz: control byte 0b1000 (three literals, then a tag), "abc", tag "6 bytes from 3 back" (length - 3 = 3, offset 3).
  const pglz = (offset: number) => bytes([0b1000], 'abc', [((offset >> 8) << 4) | 3, offset & 0xff]);

  it('pglz: a stream that ends exactly at its raw size decodes; one reaching before its start, or of another size, does not', () => {
    expect(pglzDecodes(pglz(3), 0, 6, 9)).to.equal(true);
    expect(pglzDecodes(pglz(4), 0, 6, 9), 'offset past what was written').to.equal(false);
    expect(pglzDecodes(pglz(0), 0, 6, 9), 'offset 0').to.equal(false);
    expect(pglzDecodes(pglz(3), 0, 6, 10), 'raw size not reached').to.equal(false);
    expect(pglzDecodes(pglz(3), 0, 5, 9), 'tag cut short by the end of the source').to.equal(false);
    expect(pglzDecodes(bytes([0], 'abcdefgh', [0], 'ij'), 0, 12, 8), 'source left over').to.equal(false);
  });

  it('pglz: a stream inside a larger buffer is read from its own bounds', () => {
    const page = bytes('xxxx', pglz(3), 'yyyy');
    expect(pglzDecodes(page, 4, 10, 9)).to.equal(true);
  });

  // lz4: token 0x30 (3 literals, a 4-byte match), "abc", offset 3; then the last sequence, literals only.
  const lz4 = (offset: number, tail = bytes([0x10], 'x')) => bytes([0x30], 'abc', [offset & 0xff, offset >> 8], tail);

  it('lz4: literals and matches inside the source and the raw size decode; a match before the start or past the size does not', () => {
    expect(lz4Decodes(lz4(3), 0, 8, 8)).to.equal(true);
    expect(lz4Decodes(lz4(3), 0, 8, 100), 'the raw size bounds the output, as LZ4_decompress_safe').to.equal(true);
    expect(lz4Decodes(lz4(4), 0, 8, 8), 'offset past what was written').to.equal(false);
    expect(lz4Decodes(lz4(3), 0, 8, 7), 'output past the raw size').to.equal(false);
    expect(lz4Decodes(lz4(3, bytes()), 0, 6, 8), 'ends on a match, not on literals').to.equal(false);
    expect(lz4Decodes(bytes([0x50], 'abc'), 0, 4, 8), 'literals past the end of the source').to.equal(false);
    expect(lz4Decodes(bytes(), 0, 0, 8), 'empty').to.equal(false);
  });

  it('lz4: lengths of 15 and more continue in the bytes after (255 means one more byte)', () => {
    const literals = 15 + 255 + 2;
    const src = bytes([0xf0, 255, 2], 'a'.repeat(literals));
    expect(lz4Decodes(src, 0, src.length, literals)).to.equal(true);
    expect(lz4Decodes(src, 0, src.length, literals - 1)).to.equal(false);
  });
});
