import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX_LENGTH = 12;
const GENERATED_SECRET_MARK = 'hov_';

/** A new secret: a recognisable mark and 240 random bits, URL- and shell-safe. */
export function generateSecret(): string {
  return GENERATED_SECRET_MARK + randomBytes(30).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function secretPrefix(secret: string): string {
  return secret.slice(0, SECRET_PREFIX_LENGTH);
}

/** Compares a presented secret with a stored hash in time independent of where they differ. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Extracts the token of an `Authorization: Bearer <token>` header, if well-formed. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+([\x21-\x7e]{1,512})[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}
