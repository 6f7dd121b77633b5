// A tool pgdrill drives (pg_basebackup, pgBackRest, Barman, barman-cloud, pg_dump), as the rest of pgdrill knows
// it: the backup methods it gives drills that build their own primary, the options those take in a drill file,
// and the kind of existing backup it reads (`source: <key>`). Each tool is one folder of src/tools/ with a
// tool.ts like this, and one line in registry.ts; the schemas, the loader and the runner read only these.
import type { z } from 'zod';
import type { MethodAdapter } from './backup-method.js';
import type { BackupSource } from './source.js';

export type PathKind = 'file' | 'folder' | 'any';

/** A kind of backup the user already has, under `source:` in a drill file. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind's own section, typed by its schema
export interface SourceKind<Spec = any> {
  /** Its key under `source:` (pgbackrest, basebackup...). */
  readonly key: string;
  /** Its section of the drill file. */
  readonly schema: z.ZodType<Spec>;
  /** Keys of the section that hold paths: resolved against the drill file and checked to exist, never written. */
  readonly paths?: Readonly<Record<string, PathKind>>;
  /** The key that chooses among several backups (what --backup overrides); none when the source holds one. */
  readonly selection?: string;
  /** When this backup holds no WAL: the sentence that says so for `target`; undefined when it has WAL. */
  withoutWal?(spec: Spec, target: string): string | undefined;
  create(spec: Spec, seed: number | undefined): BackupSource;
}

export interface Tool {
  readonly name: string;
  /** Backup methods by the name drill files give them (backup.method). */
  readonly methods?: Readonly<Record<string, MethodAdapter>>;
  /** Sections of `backup:` its methods read (backup.repo, backup.cloud), by key. */
  readonly options?: Readonly<Record<string, z.ZodType>>;
  readonly source?: SourceKind;
}
