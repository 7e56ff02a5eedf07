import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Injectable } from '@nestjs/common';
import type { AttemptResult } from './delivery-rules.js';
import { type AddressPolicy, forbiddenAddress, literalAddress } from './webhook-address.js';

/** Response bytes read at most; the first KEPT_BODY_BYTES are kept in the delivery log. */
const READ_BODY_BYTES = 4096;
export const KEPT_BODY_BYTES = 1024;

/** Resolves a host name to its addresses; replaced in tests to play a DNS that rebinds. */
@Injectable()
export class HostResolver {
  resolve(hostname: string): Promise<LookupAddress[]> {
    return new Promise((resolve, reject) =>
      dnsLookup(hostname, { all: true }, (error, addresses) =>
        error ? reject(error) : resolve(addresses),
      ),
    );
  }
}

/** Why none of a name's addresses may be reached, or undefined when all may. */
export async function forbiddenResolution(
  resolver: HostResolver,
  hostname: string,
  policy: AddressPolicy,
): Promise<string | undefined> {
  const addresses = await resolver.resolve(hostname);
  for (const { address } of addresses) {
    const problem = forbiddenAddress(address, policy);
    if (problem) return `${hostname} resolves to ${problem}`;
  }
  return undefined;
}

/**
 * Connects only to addresses the rules allow (SPEC §6, DNS rebinding): the name is resolved
 * once, every address is checked, and the socket connects to a checked address, so a second
 * resolution cannot swap in another.
 */
function checkedLookup(resolver: HostResolver, policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolver.resolve(hostname).then(
      (addresses) => {
        const problem = addresses
          .map(({ address }) => forbiddenAddress(address, policy))
          .find(Boolean);
        if (problem || addresses.length === 0) {
          callback(
            new ForbiddenAddressError(problem ?? `${hostname} has no address`),
            '',
            undefined,
          );
        } else if (options.all) {
          callback(null, addresses);
        } else {
          callback(null, addresses[0].address, addresses[0].family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', undefined),
    );
  };
}

class ForbiddenAddressError extends Error {
  constructor(reason: string) {
    super(`forbidden address: ${reason}`);
  }
}

export interface Outgoing {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** One POST of a delivery: a 2xx/other status with the start of the body, or why it failed. */
@Injectable()
export class WebhookSender {
  constructor(private readonly resolver: HostResolver) {}

  send(outgoing: Outgoing, policy: AddressPolicy, timeoutMs: number): Promise<AttemptResult> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    const url = new URL(outgoing.url);
    const literal = literalAddress(url);
    const refused = literal ? forbiddenAddress(literal, policy) : undefined;
    if (refused) {
      return Promise.resolve({ error: `forbidden address: ${refused}`, latencyMs: 0 });
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: Omit<AttemptResult, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, latencyMs: latency() });
      };
      const request = send(
        url,
        {
          method: 'POST',
          headers: {
            ...outgoing.headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(outgoing.body)),
          },
          lookup: literal ? undefined : checkedLookup(this.resolver, policy),
          // A redirect is not followed: it is a non-2xx answer, so a failed attempt.
        },
        (response) => readStart(response, (body) => finish({ status: response.statusCode, body })),
      );
      const timer = setTimeout(() => {
        finish({ error: `timed out after ${timeoutMs} ms` });
        request.destroy();
      }, timeoutMs);
      request.on('error', (error) => finish({ error: describe(error) }));
      request.end(outgoing.body);
    });
  }
}

function readStart(response: IncomingMessage, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  let length = 0;
  const end = () => {
    response.removeAllListeners('data');
    done(Buffer.concat(chunks).subarray(0, KEPT_BODY_BYTES).toString('utf8'));
  };
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= READ_BODY_BYTES) {
      end();
      response.destroy();
    }
  });
  response.on('end', end);
  response.on('error', end);
}

function describe(error: NodeJS.ErrnoException): string {
  if (error instanceof ForbiddenAddressError) return error.message;
  return error.code ? `${error.code}: ${error.message}` : error.message;
}
