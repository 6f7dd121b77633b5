// pgBackRest in drill files: a drill's own repository on S3 (backup.repo), and a stanza the user has (source.pgbackrest).
import { z } from 'zod';
import { backupSelection } from '../../drill/schema-parts.js';

export const s3Repository = z.strictObject({
  type: z.literal('s3', { error: 's3 is the one repository type besides the default (a folder in the work folder)' }),
  bucket: z.string().min(3),
  endpoint: z.url({ protocol: /^https$/, error: 'the https:// URL of the S3 API, e.g. https://s3.eu-west-1.amazonaws.com or https://minio.internal:9000 (pgBackRest 2.45 speaks S3 over TLS only)' }),
  region: z.string().min(1).default('us-east-1'),
  uriStyle: z.enum(['path', 'host']).default('host'),
  verifyTls: z.boolean().default(true),
  /** A CA certificate for a private endpoint. */
  caFile: z.string().min(1).optional(),
  /** Every drill writes below <prefix>/<its work folder's name> and deletes it at the end. */
  prefix: z.string().regex(/^\/[A-Za-z0-9._/-]*$/).default('/pgdrill'),
});

export const pgbackrestSource = z.strictObject({
  stanza: z.string().min(1),
  /** The user's pgbackrest.conf (repository, cipher pass, S3 keys: pgBackRest reads them; pgdrill never does). */
  config: z.string().min(1),
  repo: z.number().int().min(1).max(256).optional(),
  set: backupSelection,
});
