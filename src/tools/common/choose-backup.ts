// Which backup of a repository a drill restores: the newest (default), the oldest, one at random (the seed is
// recorded, so a run can be repeated), or one named by its label. Drilling older backups proves the whole
// retention window restores, not only last night's.
import { DrillConfigError } from '../../errors.js';

export function chooseBackup(labels: string[], wanted: string, seed: number | undefined, keyPath: string): { label: string; chosenBy: string } {
  if (labels.length === 0) throw new DrillConfigError([{ file: '(source)', path: keyPath, message: 'the source holds no backup', fix: 'take a backup first' }]);
  switch (wanted) {
    case 'latest':
      return { label: labels.at(-1) as string, chosenBy: 'latest' };
    case 'oldest':
      return { label: labels[0] as string, chosenBy: 'oldest' };
    case 'random': {
      const s = seed ?? Math.floor(Math.random() * 2 ** 31);
      return { label: labels[mulberry32(s) % labels.length] as string, chosenBy: `random (seed ${s}: repeat with source.seed: ${s})` };
    }
    default:
      if (!labels.includes(wanted)) {
        throw new DrillConfigError([{ file: '(source)', path: keyPath, message: `no backup labelled ${wanted}; the source holds ${labels.join(', ')}`, fix: 'write latest, oldest, random or one of those labels' }]);
      }
      return { label: wanted, chosenBy: `the label asked for (${wanted})` };
  }
}

/** A small seeded generator: the same seed picks the same backup on every machine. */
function mulberry32(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}
