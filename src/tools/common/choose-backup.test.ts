import { expect } from 'chai';
import { DrillConfigError } from '../../errors.js';
import { chooseBackup } from './choose-backup.js';

describe('choosing a backup of a repository', () => {
  const labels = ['20261101-010000F', '20261108-010000F_20261109-010000I', '20261115-010000F'];
  it('latest, oldest, a label, or random with a seed that repeats the choice and is reported', () => {
    expect(chooseBackup(labels, 'latest', undefined, 'k')).to.deep.equal({ label: '20261115-010000F', chosenBy: 'latest' });
    expect(chooseBackup(labels, 'oldest', undefined, 'k').label).to.equal('20261101-010000F');
    expect(chooseBackup(labels, '20261108-010000F_20261109-010000I', undefined, 'k').chosenBy).to.contain('the label asked for');
    const a = chooseBackup(labels, 'random', 42, 'k');
    expect(chooseBackup(labels, 'random', 42, 'k')).to.deep.equal(a);
    expect(a.chosenBy).to.equal('random (seed 42: repeat with source.seed: 42)');
    const picked = new Set(Array.from({ length: 30 }, (_, s) => chooseBackup(labels, 'random', s, 'k').label));
    expect(picked.size, 'seeds spread over the retention window').to.equal(3);
    expect(chooseBackup(labels, 'random', undefined, 'k').chosenBy).to.match(/^random \(seed \d+: repeat with source.seed: \d+\)$/);
  });
  it('a label that is not there names the ones that are', () => {
    expect(() => chooseBackup(labels, '20250101-000000F', undefined, 'source.pgbackrest.set')).to.throw(DrillConfigError, 'no backup labelled 20250101-000000F; the source holds 20261101-010000F');
  });
});
