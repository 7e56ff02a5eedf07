import { createHash } from 'node:crypto';
import {
  SECRET_PREFIX_LENGTH,
  bearerToken,
  generateSecret,
  hashSecret,
  secretMatches,
  secretPrefix,
} from './api-key-secret.js';

describe('generateSecret', () => {
  it('returns hov_ followed by 40 base64url characters (240 random bits)', () => {
    expect(generateSecret()).toMatch(/^hov_[A-Za-z0-9_-]{40}$/);
  });

  it('returns a different secret on every call', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateSecret()));
    expect(secrets.size).toBe(1000);
  });

  it('returns a secret accepted as a bearer token', () => {
    const secret = generateSecret();
    expect(bearerToken(`Bearer ${secret}`)).toBe(secret);
  });
});

describe('hashSecret', () => {
  it('returns the lower-case hex SHA-256 of the UTF-8 secret', () => {
    expect(hashSecret('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes the empty string to the well-known SHA-256 value', () => {
    expect(hashSecret('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes non-ASCII secrets as UTF-8', () => {
    expect(hashSecret('clé')).toBe(createHash('sha256').update('clé', 'utf8').digest('hex'));
  });

  it('always returns 64 hex characters', () => {
    expect(hashSecret(generateSecret())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic and distinguishes different secrets', () => {
    expect(hashSecret('one')).toBe(hashSecret('one'));
    expect(hashSecret('one')).not.toBe(hashSecret('two'));
  });
});

describe('secretPrefix', () => {
  it(`returns the first ${SECRET_PREFIX_LENGTH} characters of the secret`, () => {
    expect(secretPrefix('hov_abcdefghijklmnop')).toBe('hov_abcdefgh');
  });

  it('returns a shorter secret whole', () => {
    expect(secretPrefix('hov_ab')).toBe('hov_ab');
  });
});

describe('secretMatches', () => {
  const secret = 'hov_the-presented-secret';
  const stored = hashSecret(secret);

  it('is true for the secret whose hash is stored', () => {
    expect(secretMatches(secret, stored)).toBe(true);
  });

  it('is true when the stored hash is written in upper-case hex', () => {
    expect(secretMatches(secret, stored.toUpperCase())).toBe(true);
  });

  it.each([
    ['a different secret', 'hov_another-secret'],
    ['the secret with one character changed', `${secret.slice(0, -1)}X`],
    ['the secret with a trailing space', `${secret} `],
    ['the empty string', ''],
  ])('is false for %s', (_label, presented) => {
    expect(secretMatches(presented, stored)).toBe(false);
  });

  it.each([
    ['a shorter hash', stored.slice(0, 32)],
    ['a longer hash', `${stored}00`],
    ['an empty hash', ''],
    ['a hash that is not hex', 'z'.repeat(64)],
    ['the secret itself instead of its hash', secret],
  ])('is false, without throwing, against %s', (_label, storedHash) => {
    expect(secretMatches(secret, storedHash)).toBe(false);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc123', 'abc123'],
    ['bearer abc123', 'abc123'],
    ['BEARER abc123', 'abc123'],
    ['BeArEr abc123', 'abc123'],
    ['Bearer   abc123', 'abc123'],
    ['Bearer\tabc123', 'abc123'],
    ['Bearer abc123  ', 'abc123'],
    ['Bearer abc123\t', 'abc123'],
    ['Bearer hov_A-b_C~!#$%&*+./=?^`|', 'hov_A-b_C~!#$%&*+./=?^`|'],
    ['Bearer x', 'x'],
    [`Bearer ${'a'.repeat(512)}`, 'a'.repeat(512)],
  ])('extracts the token from %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['the scheme alone', 'Bearer'],
    ['the scheme and a space only', 'Bearer '],
    ['the Basic scheme', 'Basic dXNlcjpwYXNz'],
    ['a token without a scheme', 'abc123'],
    ['the scheme without a separator', 'Bearerabc123'],
    ['a scheme prefixed by another word', 'XBearer abc123'],
    ['leading whitespace', ' Bearer abc123'],
    ['a space inside the token', 'Bearer abc 123'],
    ['two tokens', 'Bearer abc, Bearer def'],
    ['a token longer than 512 characters', `Bearer ${'a'.repeat(513)}`],
    ['a non-ASCII token', 'Bearer clé'],
    ['a control character in the token', 'Bearer abc\u0000def'],
    ['a line break after the token', 'Bearer abc\n'],
  ])('returns undefined for %s', (_label, header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});
