import { expect } from 'chai';
import { verifyCheck } from './method.js';

// pgBackRest 2.45's console output, as captured from real runs of `pgbackrest verify` (a clean repository, and one
// whose backup file was altered): it exits 0 and says "completed successfully" in both.
const clean = `INFO: verify command begin 2.45: --stanza=drill
INFO: verify command end: completed successfully (277ms)`;
const damaged = `2026-11-24 13:37:11.605 P00   INFO: verify command begin 2.45: --config=/tmp/x/pgbackrest.conf --stanza=drill
2026-11-24 13:37:11.686 P01   INFO: invalid checksum '20261124-133709F/pg_data/base/1/2838.lz4'
2026-11-24 13:37:11.855 P00   INFO: stanza: drill
                                    status: error
                                      backup: 20261124-133709F, status: invalid, total files checked: 973, total valid files: 972
                                        checksum invalid: 1
2026-11-24 13:37:11.855 P00   INFO: verify command end: completed successfully (253ms)`;

describe('pgbackrest verify as a check', () => {
  it('a clean verify passes', () => {
    const c = verifyCheck(0, clean, '20261124-133709F');
    expect(c.status).to.equal('passed');
    expect(c.detail).to.contain('completed successfully');
  });

  it('exit 0 with an invalid checksum in its INFO lines fails, naming the file', () => {
    const c = verifyCheck(0, damaged, '20261124-133709F');
    expect(c.status).to.equal('failed');
    expect(c.detail).to.contain("invalid checksum '20261124-133709F/pg_data/base/1/2838.lz4'").and.contain('status: error');
    expect(c.detail).not.to.contain('command begin');
  });

  it('a non-zero exit fails', () => {
    expect(verifyCheck(28, 'ERROR: [028]: backup and archive info files exist but do not match', 'x').status).to.equal('failed');
  });
});
