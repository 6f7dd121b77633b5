// The last step of every run pgdrill writes into an output folder (run, aggregate): its manifest, chained to the
// run before it, then the folder's head advanced to it. One place, so no run is written without either.
import path from 'node:path';
import { advanceFolderHead } from './head.js';
import { writeManifest } from './manifest.js';
import { isRunFolder } from './verify-evidence.js';
import { readdirSync } from 'node:fs';

export function sealRun(runDir: string, input: Parameters<typeof writeManifest>[1]): ReturnType<typeof writeManifest> {
  const written = writeManifest(runDir, input);
  const outDir = path.dirname(runDir);
  advanceFolderHead(outDir, input.runId, readdirSync(outDir).filter((d) => isRunFolder(path.join(outDir, d))).length, input.signer);
  return written;
}
