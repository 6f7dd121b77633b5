// The store a spec names: a folder, a git branch or an S3 prefix; heavy clients load only when used.
import { UsageError } from '../../errors.js';
import { STORE_FORMS, type Blobs } from './blobs.js';

/** Opens the store a spec names. Heavy clients (S3) load only when used. */
export async function openBlobs(spec: string, env: NodeJS.ProcessEnv = process.env): Promise<Blobs> {
  if (spec.startsWith('s3://')) {
    // The SDK warns on Node 20 about versions published after January 2027; pgdrill pins one that supports it.
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    const { S3Blobs } = await import('./s3-blobs.js');
    return S3Blobs.open(spec, env);
  }
  if (spec.startsWith('git+')) {
    const { GitBlobs } = await import('./git-blobs.js');
    return GitBlobs.open(spec.slice('git+'.length), env);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !spec.startsWith('file://')) {
    throw new UsageError(`evidence store ${spec.replace(/\/\/[^@/]*@/, '//***@')}: unknown kind; use ${STORE_FORMS}`);
  }
  const { FolderBlobs } = await import('./folder-blobs.js');
  return FolderBlobs.open(spec.startsWith('file://') ? new URL(spec).pathname : spec);
}
