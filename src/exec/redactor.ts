// Secrets (generated passwords, webhook URLs, keys) are replaced before anything is logged or reported.

export const REDACTED = '[REDACTED]';

export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(REDACTED);
    return out;
  }
}
