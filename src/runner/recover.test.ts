// The recovery replays only the WAL the backup system held when the disaster was declared (a live source's loss,
// or the start of a drill of a busy source's archive): restore_command refuses any later segment, whatever arrives.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { limitedRestoreCommand } from './recover.js';

describe('restore_command limited to the archive at the declaration', () => {
  const newest = '000000010000000000000005';
  // What the server executes: %f replaced, %% made %; the inner command stands for the archive's own (it succeeds).
  const run = (f: string) => {
    try {
      execFileSync('sh', ['-c', limitedRestoreCommand('echo fetched "%f"', newest).replace(/%f/g, f).replace(/%%/g, '%')], { encoding: 'utf8' });
      return 0;
    } catch (e) {
      return (e as { status: number }).status;
    }
  };

  it('serves the newest segment held and every older one', () => {
    expect(run(newest)).to.equal(0);
    expect(run('000000010000000000000001')).to.equal(0);
  });

  it('refuses a segment archived after the declaration, of this timeline or a later one', () => {
    expect(run('000000010000000000000006')).to.equal(1);
    expect(run('000000010000000100000000')).to.equal(1);
    expect(run('000000020000000000000006')).to.equal(1);
  });

  it('passes timeline history files through (recovery reads them to follow a switch)', () => {
    expect(run('00000002.history')).to.equal(0);
  });
});
