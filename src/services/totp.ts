// Time-based one-time codes (RFC 6238, 30-second steps, 6 digits, what authenticator apps use) and recovery
// codes. The secret is generated here and shown once at enrolment; recovery codes are stored as hashes.
import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';

export const TOTP_ISSUER = 'Retaguarda';
export const RECOVERY_CODES = 10;

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, account: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: account, secret });
}

/** The otpauth:// URI as a QR code, an SVG image drawn here (nothing leaves the service). */
export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The time step the code belongs to (one step of clock drift either way), or undefined when it is wrong. */
export function totpStepOf(secret: string, code: string, now: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const result = verifySync({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: 30,
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** Ten recovery codes like `k7f3-m2qx-9dwe`: to show once, and their hashes to keep. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const codes = Array.from({ length: RECOVERY_CODES }, () => {
    const bytes = randomBytes(12);
    const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
  return { codes, hashes: codes.map(recoveryHash) };
}

/** Recovery codes are random (60 bits), so a plain hash keeps them as safe as a slow one would. */
export function recoveryHash(code: string): string {
  const canonical = code
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  return createHash('sha256').update(`retaguarda-recovery:${canonical}`).digest('hex');
}
