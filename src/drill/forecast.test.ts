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
    expect(f?.assumptions.join('\n')).to.contain('100 GB restored at this drill\'s copy rate, 200 MB/s').and.contain('24 GB of WAL (1.0 GB/h over 24h, a whole backup interval: the worst case)');
  });

  it('grows the verification with the data it reads (the checks scan the restored tables)', () => {
    // 2 GB restored in 10 s (200 MB/s) and verified in 1 s: 100 GB verifies in 50 s.
    const f = forecastRto({ size: 100e9 }, { rtoSeconds: 12, restoreBytesPerSecond: 200e6, restoreSeconds: 10, replayBytesPerSecond: null, replaySeconds: 0.5, verifySeconds: 1 }, 3_600_000);
    expect(f?.verifySeconds).to.equal(50);
    expect(f?.fixedSeconds).to.be.closeTo(0.5, 1e-9);
    expect(f?.rtoSeconds).to.be.closeTo(500 + 50 + 0.5, 1e-9);
    expect(f?.assumptions.join('\n')).to.contain('the checks that read the tables grow with the data: 1.00s for this drill\'s 2.0 GB, 50s for 100 GB');
  });

  it('counts the restore\'s set-up and the checks that do not read the tables once, at any size', () => {
    // 2 GB restored in 2 s, of which the copy took 1 s (2 GB/s); verification 1 s, of which its queries 0.2 s.
    const f = forecastRto(
      { size: 100e9 },
      { rtoSeconds: 4, restoreBytesPerSecond: 1e9, restoreSeconds: 2, restoreCopySeconds: 1, replayBytesPerSecond: null, replaySeconds: 1, verifySeconds: 1, verifyDataSeconds: 0.2 },
      3_600_000,
    );
    expect(f?.restoreSeconds).to.be.closeTo(50, 1e-9); // 100 GB at the copy's 2 GB/s, not the phase's 1 GB/s
    expect(f?.verifySeconds).to.be.closeTo(10, 1e-9); // 0.2 s per 2 GB
    expect(f?.fixedSeconds).to.be.closeTo(1 + 0.8, 1e-9); // the restore's set-up and the other checks
    expect(f?.rtoSeconds).to.be.closeTo(61.8, 1e-9);
    expect(f?.assumptions.join('\n')).to.contain('restored at this drill\'s copy rate, 2000 MB/s (the copy took 1.00s of the 2.00s restore');
  });

  it('restores a backup larger than memory at the disk\'s rate, not the copy\'s from the page cache', () => {
    const measured = { rtoSeconds: 2, restoreBytesPerSecond: 1e9, restoreSeconds: 1, restoreCopySeconds: 1, replayBytesPerSecond: null, replaySeconds: 1, diskWriteBytesPerSecond: 250e6, memoryBytes: 16e9 };
    const large = forecastRto({ size: 100e9 }, measured, 3_600_000);
    expect(large?.restoreSeconds).to.be.closeTo(400, 1e-9); // 100 GB at 250 MB/s
    expect(large?.assumptions[0]).to.contain('at the disk\'s rate, 250 MB/s').and.contain('16 GB of memory');
    const fits = forecastRto({ size: 8e9 }, measured, 3_600_000);
    expect(fits?.restoreSeconds).to.be.closeTo(8, 1e-9); // fits in memory: the copy's 1 GB/s
    expect(fits?.assumptions[0]).to.contain('faster than the disk writes (250 MB/s)');
  });

  it('says so when there is nothing to scale from: no restore rate, or no WAL replayed', () => {
    expect(forecastRto({ size: 1e9 }, { rtoSeconds: 5, restoreBytesPerSecond: null, restoreSeconds: null, replayBytesPerSecond: null, replaySeconds: null }, 1)).to.equal(null);
    const noReplay = forecastRto({ size: 1e9, walPerHour: 1e9 }, { rtoSeconds: 5, restoreBytesPerSecond: 1e8, restoreSeconds: 2, replayBytesPerSecond: null, replaySeconds: null }, 3_600_000);
    expect(noReplay?.replaySeconds).to.equal(0);
    expect(noReplay?.assumptions.join('\n')).to.contain('this drill replayed none, so its replay time is not estimated');
  });
});
