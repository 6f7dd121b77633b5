// Drill arguments as people write them: files, or folders meaning every *.yaml / *.yml directly inside (sorted,
// so a fleet's order is the same on every machine).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function expandDrillFiles(args: readonly string[]): string[] {
  return args.flatMap((a) =>
    existsSync(a) && statSync(a).isDirectory()
      ? readdirSync(a)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => path.join(a, f))
      : [a],
  );
}
