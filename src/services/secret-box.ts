// Secrets the service must use again (an inbox's password) sealed with AES-256-GCM under SECRETS_KEY, so a
// copy of the database alone gives none of them away.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from './errors.ts';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** The key is the SHA-256 of SECRETS_KEY (a random value of 32 characters or more). */
export function secretBox(secretsKey: string | undefined): SecretBox {
  const key = secretsKey ? createHash('sha256').update(secretsKey).digest() : undefined;
  const need = () => {
    if (!key) {
      throw new AppError(
        409,
        'secrets_key_missing',
        'Set SECRETS_KEY (a random value of 32 characters or more) so that inbox passwords can be stored encrypted.',
      );
    }
    return key;
  };
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', need(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
    },
    open(sealed) {
      const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
      if (!iv || !tag || !body) throw new Error('a sealed secret has three parts');
      const decipher = createDecipheriv('aes-256-gcm', need(), iv);
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('a stored secret does not open with this SECRETS_KEY (was the key changed?)');
      }
    },
  };
}
