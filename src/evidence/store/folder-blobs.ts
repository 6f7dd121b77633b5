// An evidence store in a folder (a mounted volume, a network share). Writes go to a temporary name first and
// are renamed into place, so a reader never sees half a file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { listFiles } from '../hashing.js';
import type { Blobs } from './blobs.js';

export class FolderBlobs implements Blobs {
  private constructor(private readonly root: string) {}

  static open(folder: string, describe?: string): FolderBlobs {
    const root = path.resolve(folder);
    if (existsSync(root) && !statSync(root).isDirectory()) throw new EnvironmentError(`evidence store ${root} is not a folder`, 'name a folder (it is created when missing)');
    const blobs = new FolderBlobs(root);
    if (describe) Object.defineProperty(blobs, 'describe', { value: describe });
    return blobs;
  }

  get describe(): string {
    return this.root;
  }

  async list(): Promise<string[]> {
    return existsSync(this.root) ? listFiles(this.root) : [];
  }

  async get(key: string): Promise<Buffer> {
    return readFileSync(this.file(key));
  }

  async put(key: string, data: Buffer): Promise<void> {
    const file = this.file(key);
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.pgdrill-tmp-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  }

  async remove(key: string): Promise<void> {
    const file = this.file(key);
    rmSync(file, { force: true });
    // Folders left empty go too (a pruned run leaves no empty run folder behind).
    for (let dir = path.dirname(file); dir.startsWith(`${this.root}${path.sep}`); dir = path.dirname(dir)) {
      if (readdirSync(dir).length > 0) break;
      rmdirSync(dir);
    }
  }

  async finish(): Promise<void> {}

  async close(): Promise<void> {}

  /** A key never escapes the store's folder. */
  private file(key: string): string {
    const file = path.resolve(this.root, key);
    if (!file.startsWith(`${this.root}${path.sep}`)) throw new EnvironmentError(`evidence store key ${key} points outside ${this.root}`, 'keys are paths inside the store');
    return file;
  }
}
