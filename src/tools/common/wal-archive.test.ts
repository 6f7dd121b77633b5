import { expect } from 'chai';
import { continuityAcross, parseTimelineHistory } from './wal-archive.js';

const SEG = 16n * 1024n * 1024n;
const lsn = (segment: number, offset = 0) => BigInt(segment) * SEG + BigInt(offset);

describe('WAL archive continuity across timeline switches', () => {
  // Timeline 1 left at 0/4008000 (inside segment 4); timeline 2 from there.
  const history = parseTimelineHistory('1\t0/4008000\tno recovery target specified\n');
  it('reads the history file', () => {
    expect(history).to.deep.equal([{ timeline: 1, endLsn: lsn(4, 0x8000) }]);
  });
  it("the switch segment may be the old timeline's: a promoted standby's archive is continuous", () => {
    const present = new Set(['000000010000000000000002', '000000010000000000000003', '000000010000000000000004', '000000020000000000000005', '000000020000000000000006']);
    expect(continuityAcross(present, 2, history, lsn(2, 0x28), lsn(6), SEG)).to.deep.include({ continuous: true });
    const fromNew = new Set([...present].filter((s) => s !== '000000010000000000000004').concat('000000020000000000000004'));
    expect(continuityAcross(fromNew, 2, history, lsn(2, 0x28), lsn(6), SEG)).to.deep.include({ continuous: true });
  });
  it('names the hole on the timeline it is missing from', () => {
    const holed = new Set(['000000010000000000000002', '000000010000000000000004', '000000020000000000000005']);
    expect(continuityAcross(holed, 2, history, lsn(2, 0x28), lsn(5), SEG)).to.deep.include({ continuous: false, missingSegment: '000000010000000000000003' });
    const late = new Set(['000000010000000000000002', '000000010000000000000003', '000000010000000000000004', '000000020000000000000006']);
    expect(continuityAcross(late, 2, history, lsn(2, 0x28), lsn(6), SEG)).to.deep.include({ continuous: false, missingSegment: '000000020000000000000005' });
  });
});
