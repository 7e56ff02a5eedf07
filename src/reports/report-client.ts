export interface ReportClientOptions {
  /** The API's base URL, e.g. https://handover.internal */
  baseUrl: string;
  apiKey: string;
  attempts?: number;
  /** Delay before the first retry; doubles each time. */
  initialDelayMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string) => void;
}

export interface ReportClientResult {
  status: number;
  id: string;
  week: string;
  /** Where the stored report can be read. */
  url: string;
}

export class ReportClientError extends Error {}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/**
 * Asks the API for this week's report, as the weekly scheduler does: network failures and
 * transient answers (429, 5xx) are retried with exponential backoff (honouring Retry-After);
 * anything else fails at once with the problem's detail.
 */
export async function requestWeeklyReport(
  options: ReportClientOptions,
): Promise<ReportClientResult> {
  const {
    baseUrl,
    apiKey,
    attempts = 5,
    initialDelayMs = 2000,
    fetch: send = fetch,
    sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log = () => undefined,
  } = options;
  const endpoint = new URL('/v1/reports/weekly', baseUrl).toString();
  let delay = initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    let retryAfterMs: number | undefined;
    try {
      const response = await send(endpoint, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (response.status === 200 || response.status === 201) {
        const id = String(body.id);
        return {
          status: response.status,
          id,
          week: String(body.week),
          url: new URL(`/v1/reports/${id}?format=html`, baseUrl).toString(),
        };
      }
      failure = `${response.status} ${String(body.detail ?? response.statusText)}`;
      if (!RETRYABLE.has(response.status))
        throw new ReportClientError(`The API refused: ${failure}`);
      const retryAfter = Number(response.headers.get('retry-after'));
      if (Number.isFinite(retryAfter) && retryAfter > 0) retryAfterMs = retryAfter * 1000;
    } catch (error) {
      if (error instanceof ReportClientError) throw error;
      failure =
        error instanceof Error
          ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ''}`
          : String(error);
    }
    if (attempt >= attempts) {
      throw new ReportClientError(`Gave up after ${attempts} attempts; last: ${failure}`);
    }
    const wait = Math.max(delay, retryAfterMs ?? 0);
    log(`Attempt ${attempt} failed (${failure}); retrying in ${Math.round(wait / 1000)} s`);
    await sleep(wait);
    delay *= 2;
  }
}
