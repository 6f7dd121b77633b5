// Temporary folders made by tests, removed by the root after-all hook (test-support/setup.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// One list per process: mocha may load this module once through --require and again from the specs.
const registry = globalThis as typeof globalThis & { pgdrillTestTempDirs?: string[] };
const made: string[] = (registry.pgdrillTestTempDirs ??= []);

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
