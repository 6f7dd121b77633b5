// An S3-compatible endpoint for the tests: s3rver (npm, pure Node) as a child process on 127.0.0.1 over TLS, with
// a self-signed certificate made by openssl (pgBackRest 2.45 speaks S3 only over TLS). A child process, not an
// in-process server: the tests' synchronous tool calls would otherwise block it. Its objects are files under
// `directory`, so a test can hash every object before and after a drill.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { ROOT } from './cli.js';
import { freePort } from './host.js';

export interface S3Server {
  endpoint: string;
  host: string;
  port: number;
  /** The certificate, for clients that verify TLS (AWS_CA_BUNDLE, repo1-storage-ca-file). */
  caFile: string;
  directory: string;
  accessKey: string;
  secretKey: string;
  stop(): Promise<void>;
}

export async function startS3Server(root: string, buckets: string[]): Promise<S3Server> {
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  const directory = path.join(root, 'objects');
  mkdirSync(directory, { recursive: true });
  const key = path.join(root, 's3.key');
  const caFile = path.join(root, 's3.crt');
  execFileSync('openssl', ['req', '-x509', '-nodes', '-newkey', 'rsa:2048', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost', '-keyout', key, '-out', caFile], { stdio: 'ignore' });
  chmodSync(caFile, 0o644);
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules', 's3rver', 'bin', 's3rver.js'), '-d', directory, '-a', '127.0.0.1', '-p', String(port), '--silent', '--key', key, '--cert', caFile, '--no-vhost-buckets', ...buckets.flatMap((b) => ['--configure-bucket', b])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true)); // the port is taken: s3rver listens
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`s3rver did not start on 127.0.0.1:${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `https://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    caFile,
    directory,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
