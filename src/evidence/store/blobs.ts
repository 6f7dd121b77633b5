// Where evidence outlives a CI run: a store of files by key ("<run>/evidence/manifest.json"). The port is
// deliberately small (list, get, put, then finish) so a folder, a git branch and an S3 bucket prefix behave
// the same; evidence-store.ts holds the rules (never rewrite a run, a signed head) once, over any of them;
// open-blobs.ts opens the one a spec names.
export interface Blobs {
  /** Where it is, safe to print (no credentials). */
  readonly describe: string;
  /** Every key, forward slashes, relative to the store's root. */
  list(): Promise<string[]>;
  get(key: string): Promise<Buffer>;
  put(key: string, data: Buffer): Promise<void>;
  remove(key: string): Promise<void>;
  /** Makes what was put durable as one change (a git commit and push); no-op for stores that write through. */
  finish(message: string): Promise<void>;
  /** Every version a key ever had, oldest first (a git store's history); absent where the store keeps none. */
  history?(key: string): Promise<Array<{ version: string; bytes: Buffer }>>;
  /** Where the store is now (a git commit), to be contained in every later state; absent where it has none. */
  position?(): Promise<string | undefined>;
  contains?(position: string): Promise<boolean>;
  /** Frees local copies (a git clone). */
  close(): Promise<void>;
}

export const STORE_FORMS =
  'a folder (/mnt/evidence or file:///mnt/evidence), a git branch (git+https://github.com/org/repo.git#pgdrill-evidence, git+file:///srv/evidence.git#main) or an S3 prefix (s3://bucket/prefix?endpoint=https://minio:9000&region=eu-west-1&pathStyle=true)';
