import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger as PinoLogger } from 'pino';

export type RequestLog = Pick<PinoLogger, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>;

/** What code far from the controller needs to know about the request it runs for. */
export interface RequestContext {
  /** Its logger: lines written through Nest's Logger carry its reqId (and apiKeyId). */
  log: RequestLog;
  /** The Idempotency-Key it claimed, so that its write transaction marks the claim committed. */
  idempotency?: { apiKeyId: string; key: string };
}

const contexts = new AsyncLocalStorage<RequestContext>();

/** Runs the rest of a request's handling in a context of its own, starting with its logger. */
export function runInRequestContext(log: RequestLog, handle: () => void): void {
  contexts.run({ log }, handle);
}

/** The context of the request being handled; undefined outside any request (jobs, start-up). */
export function currentRequest(): RequestContext | undefined {
  return contexts.getStore();
}
