// barman-cloud in drill files: where a drill's own backups go (backup.cloud), and the backups of a server the
// user ships to object storage (source.barmanCloud): the same destination, plus the server and which backup.
import { z } from 'zod';
import { backupSelection } from '../../drill/schema-parts.js';

export const cloudDestination = z.strictObject({
  /** Where barman-cloud-backup and barman-cloud-wal-archive write: s3://bucket/prefix (or azure://, gs://). */
  destination: z.string().regex(/^(s3|azure|gs):\/\/[^/]+/, { error: 'a destination URL as given to barman-cloud-backup, e.g. s3://my-bucket/barman' }),
  /** An S3-compatible endpoint (MinIO, Ceph...): --endpoint-url. */
  endpoint: z.url({ error: 'an URL, e.g. https://minio.internal:9000' }).optional(),
  cloudProvider: z.enum(['aws-s3', 'azure-blob-storage', 'google-cloud-storage']).default('aws-s3'),
  /** An AWS profile of the credentials files (else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment). */
  profile: z.string().min(1).optional(),
});

export const barmanCloudSource = cloudDestination.extend({
  /** The server name given to barman-cloud-backup. */
  server: z.string().min(1),
  backup: backupSelection,
});
