import { ReportClientError, requestWeeklyReport } from './report-client.js';

type Answer = { status: number; body?: object; headers?: Record<string, string> } | Error;

function fakeFetch(answers: Answer[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const send = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers');
    if (answer instanceof Error) throw answer;
    return new Response(JSON.stringify(answer.body ?? {}), {
      status: answer.status,
      headers: answer.headers,
    });
  }) as unknown as typeof fetch;
  return { send, calls };
}

const report = { id: 'r-1', week: '2026-W47' };

describe('requestWeeklyReport', () => {
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };
  beforeEach(() => sleeps.splice(0));

  it('posts with the key and returns where the report is', async () => {
    const { send, calls } = fakeFetch([{ status: 201, body: report }]);
    const result = await requestWeeklyReport({
      baseUrl: 'http://api.test/',
      apiKey: 'k',
      fetch: send,
      sleep,
    });
    expect(result).toEqual({
      status: 201,
      id: 'r-1',
      week: '2026-W47',
      url: 'http://api.test/v1/reports/r-1?format=html',
    });
    expect(calls[0].url).toBe('http://api.test/v1/reports/weekly');
    expect(calls[0].init.method).toBe('POST');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer k');
  });

  it('accepts 200, the week already had its report', async () => {
    const { send } = fakeFetch([{ status: 200, body: report }]);
    expect(
      (await requestWeeklyReport({ baseUrl: 'http://api.test', apiKey: 'k', fetch: send, sleep }))
        .status,
    ).toBe(200);
  });

  it('retries network errors and 503 with doubling delays, honouring Retry-After', async () => {
    const { send, calls } = fakeFetch([
      new TypeError('fetch failed'),
      { status: 503, headers: { 'Retry-After': '10' }, body: { detail: 'database unreachable' } },
      { status: 502 },
      { status: 201, body: report },
    ]);
    const result = await requestWeeklyReport({
      baseUrl: 'http://api.test',
      apiKey: 'k',
      fetch: send,
      sleep,
      initialDelayMs: 1000,
    });
    expect(result.id).toBe('r-1');
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([1000, 10000, 4000]);
  });

  it('fails at once on an answer retrying cannot fix', async () => {
    const { send, calls } = fakeFetch([
      { status: 403, body: { detail: 'The role viewer may not perform this action.' } },
    ]);
    await expect(
      requestWeeklyReport({ baseUrl: 'http://api.test', apiKey: 'k', fetch: send, sleep }),
    ).rejects.toThrow(
      new ReportClientError('The API refused: 403 The role viewer may not perform this action.'),
    );
    expect(calls).toHaveLength(1);
  });

  it('gives up after the last attempt, saying why', async () => {
    const { send } = fakeFetch([
      { status: 500 },
      { status: 500 },
      { status: 500, body: { detail: 'boom' } },
    ]);
    await expect(
      requestWeeklyReport({
        baseUrl: 'http://api.test',
        apiKey: 'k',
        fetch: send,
        sleep,
        attempts: 3,
      }),
    ).rejects.toThrow('Gave up after 3 attempts; last: 500 boom');
    expect(sleeps).toHaveLength(2);
  });
});
