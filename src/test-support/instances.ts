// Real instances for tests that drive the provider and a backup method directly (no drill file).
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BackupContext } from '../tools/backup-method.js';
import { CommandRunner } from '../exec/command-runner.js';
import { chownTree, resolveServerUser } from '../exec/os-user.js';
import { Redactor } from '../exec/redactor.js';
import { generatePassword, LocalProvider } from '../providers/local/local-provider.js';
import { testFolders } from './cli.js';

export interface TestBench {
  ctx: BackupContext;
  password: string;
  work: string;
  dispose(): void;
}

export function testBench(): TestBench {
  const { work } = testFolders();
  const workDir = path.join(work, 'pgdrill-bench');
  mkdirSync(workDir, { mode: 0o700 });
  const serverUser = resolveServerUser();
  chownTree(workDir, serverUser);
  const logDir = path.join(work, 'logs');
  const runner = new CommandRunner({ logDir, signal: new AbortController().signal, redactor: new Redactor(), serverUser, defaultTimeoutMs: 60_000, cwd: workDir });
  const archiveDir = path.join(workDir, 'archive');
  mkdirSync(archiveDir, { mode: 0o700 });
  chownTree(archiveDir, serverUser);
  return {
    ctx: { workDir, logDir, runner, serverUser, signal: new AbortController().signal, provider: new LocalProvider(), archiveDir },
    password: generatePassword(),
    work,
    dispose: () => rmSync(work, { recursive: true, force: true }),
  };
}
