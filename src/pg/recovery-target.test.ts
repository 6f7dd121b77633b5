import { expect } from 'chai';
import { parseLsn, formatLsn, lsnDiff } from './lsn.js';
import { targetSettings } from './recovery-target.js';
import { confirmTarget } from '../verify/confirm-target.js';

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

  const promoted = [
    '2026-11-24 05:35:16.049 UTC [1] LOG:  redo done at 0/302D280 system usage: CPU: user: 0.00 s',
    '2026-11-24 05:35:16.073 UTC [1] LOG:  selected new timeline ID: 2',
    '2026-11-24 05:35:16.097 UTC [1] LOG:  archive recovery complete',
  ];

  it('confirms an LSN target from the LSN the server logs, which is the first record at or past the target', () => {
    const log = ['2026-11-24 05:35:16.049 UTC [1] LOG:  recovery stopping before WAL location (LSN) "0/302D280"', ...promoted].join('\n');
    // Not a record start, and written with leading zeros (the drill schema accepts both).
    expect(confirmTarget({ kind: 'lsn', lsn: '0/0302D200', inclusive: false }, log).reached).to.equal(true);
    expect(confirmTarget({ kind: 'lsn', lsn: '0/302D280', inclusive: false }, log).reached).to.equal(true);
    const early = confirmTarget({ kind: 'lsn', lsn: '0/302D300', inclusive: false }, log);
    expect(early.reached).to.equal(false);
    expect(early.evidence.at(-1)).to.contain('recovery stopped at 0/302D280, before the target 0/302D300');
    expect(confirmTarget({ kind: 'lsn', lsn: '0/302D200', inclusive: true }, log).reached).to.equal(false);
  });

  it('refuses a latest recovery that ended at damaged WAL inside an archived segment, naming segment and offset', () => {
    const end = { newestSegmentLsn: '0/5000000', segmentBytes: 16n * 1024n * 1024n };
    const damaged = [
      '2026-11-24 05:35:16.040 UTC [1] LOG:  incorrect resource manager data checksum in record at 0/5001A28',
      '2026-11-24 05:35:16.049 UTC [1] LOG:  redo done at 0/50019F0 system usage: CPU: user: 0.00 s',
      ...promoted.slice(1),
    ].join('\n');
    const c = confirmTarget({ kind: 'latest' }, damaged, end);
    expect(c.reached).to.equal(false);
    expect(c.evidence.at(-1)).to.contain('at 0/5001A28 (offset 6696 of the segment starting at 0/5000000)');
    expect(c.evidence.at(-1)).to.contain('incorrect resource manager data checksum');
    // The same damage in an older segment, named by segment and offset.
    const atNewest = ['2026-11-24 05:35:16.049 UTC [1] LOG:  redo done at 0/50019F0 system usage: CPU: user: 0.00 s', ...promoted.slice(1)];
    const magic = ['2026-11-24 05:35:16.040 UTC [1] LOG:  invalid magic number 0000 in log segment 000000010000000000000004, offset 8192', ...atNewest].join('\n');
    expect(confirmTarget({ kind: 'latest' }, magic, end).evidence.at(-1)).to.contain('offset 8192 of the segment starting at 0/4000000');
    // Zeros in the newest segment are the normal end only of a partial segment (Barman's get-wal --partial); in a
    // whole segment they are a zero-filled tail: damage.
    const zeros = ['2026-11-24 05:35:16.040 UTC [1] LOG:  invalid record length at 0/5001A28: wanted 24, got 0', ...atNewest].join('\n');
    expect(confirmTarget({ kind: 'latest' }, zeros, { ...end, partialTail: true }).reached).to.equal(true);
    expect(confirmTarget({ kind: 'latest' }, zeros, end).reached).to.equal(false);
    // A segment of another cluster names no position: damage wherever it is.
    const foreign = ['2026-11-24 05:35:16.040 UTC [1] LOG:  WAL file is from different database system: WAL file database system identifier is 7441, pg_control database system identifier is 7442', ...atNewest].join('\n');
    expect(confirmTarget({ kind: 'latest' }, foreign, end).evidence.at(-1)).to.contain('WAL file is from different database system');
    expect(confirmTarget({ kind: 'latest' }, foreign, end).reached).to.equal(false);
    // Past the end of the archive: the WAL was simply not there yet.
    const beyond = ['2026-11-24 05:35:16.040 UTC [1] LOG:  invalid record length at 0/6000028: wanted 24, got 17', ...atNewest].join('\n');
    expect(confirmTarget({ kind: 'latest' }, beyond, end).reached).to.equal(true);
  });

  it('an xid target given with its epoch (pg_current_xact_id()) is confirmed by the 32-bit xid the server logs', () => {
    const log = ['LOG:  recovery stopping before commit of transaction 726, time 2026-11-24 05:35:16.040+00', 'LOG:  redo done at 0/3000148', 'LOG:  selected new timeline ID: 2', 'LOG:  archive recovery complete'].join('\n');
    expect(confirmTarget({ kind: 'xid', xid: '4294968022', inclusive: false }, log).reached).to.equal(true);
    expect(confirmTarget({ kind: 'xid', xid: '726', inclusive: false }, log).reached).to.equal(true);
    expect(confirmTarget({ kind: 'xid', xid: '4294968023', inclusive: false }, log).reached).to.equal(false);
  });
});
