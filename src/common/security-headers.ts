import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * The Content-Security-Policy of every response. Two pages are rendered in a browser from the
 * API's own origin, and the policy is what they need and nothing more:
 * - Swagger UI at /docs: its scripts, init included (/docs/swagger-ui-init.js), are files
 *   from this origin, so `script-src 'self'`; its page carries inline <style> blocks and style
 *   attributes, and its stylesheet data: images.
 * - the weekly report's HTML page: self-contained, with an inline <style>, style attributes on
 *   the level badges, and a `data:` icon; no script at all.
 * Styles need 'unsafe-inline'; scripts never do. No `upgrade-insecure-requests` (helmet's
 * default): the API is also served over plain http (localhost, a LAN address), where upgrading
 * /docs's assets to https would break the page.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
};

/** The policy as sent, e.g. for a test to compare against. */
export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join(';');

/**
 * @fastify/helmet's options: helmet's defaults (nosniff, Referrer-Policy: no-referrer,
 * Cross-Origin-Opener/Resource-Policy: same-origin, …) with these changes:
 * - the CSP above, in place of helmet's default one;
 * - X-Frame-Options: DENY, agreeing with `frame-ancestors 'none'` for older browsers;
 * - no Strict-Transport-Security: the application speaks plain http and does not know the
 *   name it is served under; HSTS belongs to whatever terminates TLS in front of it. (Sent over
 *   https://localhost, a year of HSTS would also pin every other local http service to https.)
 * - no Cross-Origin-Embedder-Policy (helmet's default too, stated so that it stays off): Swagger
 *   UI and the report need nothing cross-origin, but COEP buys nothing here either.
 */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: Object.fromEntries(
      Object.entries(CSP_DIRECTIVES).map(([name, values]) => [name, [...values]]),
    ),
  },
  crossOriginEmbedderPolicy: false,
  strictTransportSecurity: false,
  xFrameOptions: { action: 'deny' },
};

/**
 * The essential headers for the few answers written before any hook runs (the router's own
 * 400s and the HTTP parser's refusals, see framework-errors.ts), where helmet's onRequest hook
 * never gets to add them.
 */
export const ESSENTIAL_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};
