// An evidence store below an S3 prefix (AWS, MinIO, any S3-compatible server). Keys come from the standard
// AWS variables or profile (never from the store spec); the spec carries only where: s3://bucket/prefix with
// endpoint, region, pathStyle and ca (a CA bundle for a private endpoint; AWS_CA_BUNDLE works too) as query
// parameters. Turn on bucket versioning and Object Lock: pgdrill never overwrites a run, and with them
// nobody else can either.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { EnvironmentError, UsageError } from '../../errors.js';
import type { Blobs } from './blobs.js';

export class S3Blobs implements Blobs {
  private constructor(
    readonly describe: string,
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  static open(spec: string, env: NodeJS.ProcessEnv): S3Blobs {
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      throw new UsageError(`evidence store ${spec} is not a URL; write s3://bucket/prefix?endpoint=https://host:port&region=eu-west-1`);
    }
    const bucket = url.hostname;
    const prefix = url.pathname.replace(/^\/+|\/+$/g, '');
    const endpoint = url.searchParams.get('endpoint') ?? undefined;
    const ca = url.searchParams.get('ca') ?? env['AWS_CA_BUNDLE'];
    const region = url.searchParams.get('region') ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
    const keyId = env['AWS_ACCESS_KEY_ID'];
    const secret = env['AWS_SECRET_ACCESS_KEY'];
    const client = new S3Client({
      region,
      // Keys from the environment given (the SDK's own chain, profiles included, otherwise).
      ...(keyId && secret ? { credentials: { accessKeyId: keyId, secretAccessKey: secret, ...(env['AWS_SESSION_TOKEN'] ? { sessionToken: env['AWS_SESSION_TOKEN'] } : {}) } } : {}),
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: url.searchParams.get('pathStyle') === 'true',
      ...(ca ? { requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: readFileSync(ca) }) }) } : {}),
    });
    return new S3Blobs(`s3://${bucket}/${prefix}${endpoint ? ` at ${endpoint}` : ''}`, client, bucket, prefix);
  }

  private key(k: string): string {
    return this.prefix ? `${this.prefix}/${k}` : k;
  }

  async list(): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('list', () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix ? `${this.prefix}/` : undefined, ContinuationToken: token })));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(this.prefix ? o.Key.slice(this.prefix.length + 1) : o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async get(key: string): Promise<Buffer> {
    const o = await this.call(`get ${key}`, () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) })));
    return Buffer.from(await o.Body!.transformToByteArray());
  }

  async put(key: string, data: Buffer): Promise<void> {
    await this.call(`put ${key}`, () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: data })));
  }

  async remove(key: string): Promise<void> {
    await this.call(`delete ${key}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) })));
  }

  async finish(): Promise<void> {}

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const e = error as { name?: string; message?: string };
      throw new EnvironmentError(`evidence store ${this.describe}: ${what} failed: ${e.name ?? ''} ${e.message ?? String(error)}`.trim(), 'check the bucket, the endpoint, the CA (ca= or AWS_CA_BUNDLE) and the keys (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE)');
    }
  }
}
