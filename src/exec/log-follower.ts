// A growing file (a server log, a restore_command's log) read from where the last read stopped, whole lines only.
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

/** Reads a growing file from where the last read stopped. */
export class LogFollower {
  private partial = '';
  constructor(
    private readonly file: string,
    private offset = 0,
  ) {}

  newLines(): string[] {
    if (!existsSync(this.file)) return [];
    const fd = openSync(this.file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      const text = this.partial + buf.toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      return lines;
    } finally {
      closeSync(fd);
    }
  }
}
