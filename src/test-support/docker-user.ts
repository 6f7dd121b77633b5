// The docker provider's tests run pgdrill as users run it: an unprivileged member of the `docker` group, never
// root. As root, the test setup creates that user (pgdrill-docker) once; as any other user, it must be one.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { asRoot } from './host.js';
import { tempDir } from './temp-dirs.js';

export interface DockerUser {
  name: string;
  uid: number;
  gid: number;
  /** A home of its own (testcontainers and npm read ~). */
  home: string;
}

const NAME = 'pgdrill-docker';

export function dockerUser(): DockerUser {
  const id = (flag: string, name?: string) => Number(execFileSync('id', [flag, ...(name ? [name] : [])], { encoding: 'utf8' }).trim());
  if (!asRoot) {
    const groups = execFileSync('id', ['-Gn'], { encoding: 'utf8' }).split(/\s+/);
    if (!groups.includes('docker')) throw new Error('the docker tests run as a member of the docker group: sudo usermod -aG docker $USER (and log in again)');
    return { name: execFileSync('id', ['-un'], { encoding: 'utf8' }).trim(), uid: id('-u'), gid: id('-g'), home: process.env['HOME'] ?? tempDir('docker-home-') };
  }
  try {
    execFileSync('id', [NAME], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--groups', 'docker', '--shell', '/bin/sh', NAME]);
  }
  const user = { name: NAME, uid: id('-u', NAME), gid: id('-g', NAME), home: tempDir('docker-home-') };
  chownSync(user.home, user.uid, user.gid);
  return user;
}

/** A folder the docker user may write (an output folder). */
export function userFolder(user: DockerUser, parent: string, name: string): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  if (asRoot) chownSync(dir, user.uid, user.gid);
  return dir;
}
