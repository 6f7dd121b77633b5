import { expect } from 'chai';
import { forecastRto, parseBytes } from './forecast.js';

describe('forecast at production size', () => {
  it('reads sizes in decimal and binary units', () => {
    expect(parseBytes('250GB')).to.equal(250e9);
    expect(parseBytes('1.5TiB')).to.equal(1.5 * 2 ** 40);
    expect(parseBytes('800 MB')).to.equal(800e6);
    expect(parseBytes('12')).to.equal(undefined);
    expect(parseBytes('lots')).to.equal(undefined);
  });

  it('scales the measured restore and replay rates, keeps the fixed time, and spells out the assumptions', () => {
    const f = forecastRto({ size: 100e9, walPerHour: 1e9 }, { rtoSeconds: 10, restoreBytesPerSecond: 200e6, restoreSeconds: 4, replayBytesPerSecond: 50e6, replaySeconds: 3 }, 24 * 3_600_000);
    expect(f?.restoreSeconds).to.equal(500);
    expect(f?.replaySeconds).to.equal(480); // 24 GB of WAL at 50 MB/s
    expect(f?.fixedSeconds).to.equal(3);
    expect(f?.rtoSeconds).to.equal(983);
    expect(f?.assumptions.join('\n')).to.contain('100 GB restored at this drill\'s rate, 200 MB/s').and.contain('24 GB of WAL (1.0 GB/h over 24h, a whole backup interval: the worst case)');
  });

  it('grows the verification with the data it reads (the checks scan the restored tables)', () => {
    // 2 GB restored in 10 s (200 MB/s) and verified in 1 s: 100 GB verifies in 50 s.
    const f = forecastRto({ size: 100e9 }, { rtoSeconds: 12, restoreBytesPerSecond: 200e6, restoreSeconds: 10, replayBytesPerSecond: null, replaySeconds: 0.5, verifySeconds: 1 }, 3_600_000);
    expect(f?.verifySeconds).to.equal(50);
    expect(f?.fixedSeconds).to.be.closeTo(0.5, 1e-9);
    expect(f?.rtoSeconds).to.be.closeTo(500 + 50 + 0.5, 1e-9);
    expect(f?.assumptions.join('\n')).to.contain('verification grows with the data it reads: 1.0s for this drill\'s 2.0 GB, 50s for 100 GB');
  });

  it('says so when there is nothing to scale from: no restore rate, or no WAL replayed', () => {
    expect(forecastRto({ size: 1e9 }, { rtoSeconds: 5, restoreBytesPerSecond: null, restoreSeconds: null, replayBytesPerSecond: null, replaySeconds: null }, 1)).to.equal(null);
    const noReplay = forecastRto({ size: 1e9, walPerHour: 1e9 }, { rtoSeconds: 5, restoreBytesPerSecond: 1e8, restoreSeconds: 2, replayBytesPerSecond: null, replaySeconds: null }, 3_600_000);
    expect(noReplay?.replaySeconds).to.equal(0);
    expect(noReplay?.assumptions.join('\n')).to.contain('this drill replayed none, so its replay time is not estimated');
  });
});
