// Ed25519 signatures for evidence manifests (node:crypto). The private key comes from PGDRILL_SIGNING_KEY (PEM)
// or --signing-key FILE and never enters any file pgdrill writes; the public key's fingerprint is recorded.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

export interface Signer {
  privateKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

/** SHA-256 of the public key's DER (SPKI) encoding, as "SHA256:" + hex, the way ssh-keygen -l shows keys. */
export function fingerprintOf(publicKey: KeyObject): string {
  return `SHA256:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

export function signerFromPem(pem: string, source: string): Signer {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new UsageError(`${source} is not a PEM private key: ${(error as Error).message}`, 'create one with `pgdrill keygen --out FILE`');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new UsageError(`${source} is a ${privateKey.asymmetricKeyType} key; evidence is signed with Ed25519`, 'create one with `pgdrill keygen --out FILE`');
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: fingerprintOf(publicKey) };
}

/** --signing-key FILE wins over PGDRILL_SIGNING_KEY; undefined when neither is set (evidence is then unsigned). */
export function loadSigner(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Signer | undefined {
  if (file) {
    if (!existsSync(file)) throw new UsageError(`signing key ${file} not found`, 'create one with `pgdrill keygen --out FILE`');
    return signerFromPem(readFileSync(file, 'utf8'), file);
  }
  const pem = env['PGDRILL_SIGNING_KEY'];
  return pem ? signerFromPem(pem, 'PGDRILL_SIGNING_KEY') : undefined;
}

export function signBytes(signer: Signer, data: Buffer): string {
  return sign(null, data, signer.privateKey).toString('base64');
}

export function verifyBytes(publicKeyPem: string, data: Buffer, signature: string): boolean {
  try {
    return verify(null, data, createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * What is wrong with a signed file of the evidence (a head, a shard's manifest, the pruned record), or undefined:
 * its signature missing, made with a key other than the pinned one, or not matching; or unsigned while a key is
 * pinned. `what` names it in the message.
 */
export function signatureProblem(what: string, signing: { publicKeyPem: string; fingerprint: string } | null, bytes: Buffer, signature: string | undefined, pinnedPem: string | undefined): string | undefined {
  if (!signing) return pinnedPem ? `${what} NOT SIGNED, but a public key was given` : undefined;
  const pinned = pinnedPem ? publicKeyFingerprint(pinnedPem) : undefined;
  if (!signature) return `${what}: it says it is signed, but its signature is missing`;
  if (pinned && signing.fingerprint !== pinned) return `${what} SIGNED WITH ANOTHER KEY (${signing.fingerprint}, expected ${pinned})`;
  if (!verifyBytes(pinnedPem ?? signing.publicKeyPem, bytes, signature)) return `${what}: BAD SIGNATURE: it was changed after it was signed`;
  return undefined;
}

export function publicKeyFingerprint(pem: string): string {
  return fingerprintOf(createPublicKey(pem));
}

/** Writes PREFIX (private key, mode 0600) and PREFIX.pub; refuses to overwrite. */
export function keygen(prefix: string): { privateFile: string; publicFile: string; fingerprint: string } {
  const publicFile = `${prefix}.pub`;
  for (const f of [prefix, publicFile]) {
    if (existsSync(f)) throw new UsageError(`${f} exists; pgdrill keygen never overwrites a key`, 'choose another --out prefix');
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(prefix, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  chmodSync(prefix, 0o600);
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateFile: prefix, publicFile, fingerprint: fingerprintOf(publicKey) };
}
