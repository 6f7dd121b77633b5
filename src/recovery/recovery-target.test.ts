import { expect } from 'chai';
import { parseLsn, formatLsn, lsnDiff } from './lsn.js';
import { targetSettings } from './recovery-target.js';

describe('recovery targets', () => {
  it('maps each target kind to recovery_target_* settings with promotion', () => {
    expect(targetSettings({ kind: 'xid', xid: '735', inclusive: false })).to.deep.include({
      recovery_target_xid: '735',
      recovery_target_inclusive: 'off',
      recovery_target_action: 'promote',
    });
    expect(targetSettings({ kind: 'time', time: '2026-11-23 19:00:00+00', inclusive: true })).to.deep.include({
      recovery_target_time: '2026-11-23 19:00:00+00',
      recovery_target_inclusive: 'on',
    });
    expect(targetSettings({ kind: 'lsn', lsn: '0/3000000', inclusive: false })).to.include({ recovery_target_lsn: '0/3000000' });
    expect(targetSettings({ kind: 'name', name: 'before-migration' })).to.include({ recovery_target_name: 'before-migration' });
    expect(targetSettings({ kind: 'immediate' })).to.include({ recovery_target: 'immediate' });
    expect(targetSettings({ kind: 'latest' })).to.deep.equal({ recovery_target_timeline: 'latest' });
  });

  it('does LSN arithmetic', () => {
    expect(parseLsn('1/0')).to.equal(1n << 32n);
    expect(formatLsn(parseLsn('16/B374D848'))).to.equal('16/B374D848');
    expect(lsnDiff('0/3027A90', '0/2000028')).to.equal(0x3027a90 - 0x2000028);
    expect(lsnDiff(undefined, '0/1')).to.equal(0);
  });
});
