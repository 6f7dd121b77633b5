// `pgdrill keygen`: an Ed25519 key pair for signing evidence.
import { Command } from 'commander';
import { stderr } from '../common.js';

export function keygenCommand(): Command {
  return new Command('keygen')
    .description('create an Ed25519 key pair for signing evidence: PREFIX (private, mode 0600) and PREFIX.pub')
    .requiredOption('--out <prefix>', 'file name prefix, e.g. ~/.pgdrill/signing-key')
    .action(async (opts: { out: string }) => {
      const { keygen } = await import('../../evidence/signing.js');
      const k = keygen(opts.out);
      stderr.write(`private key: ${k.privateFile} (keep it secret; mode 0600)\npublic key:  ${k.publicFile}\nfingerprint: ${k.fingerprint}\n`);
    });
}
