import { ReportClientError, requestWeeklyReport } from '../src/reports/report-client.js';

/**
 * The weekly scheduler's command: asks the API for this week's risk report, retrying
 * transient failures, prints where the report is, and exits non-zero on failure so cron
 * reports it. Configuration: HANDOVER_URL (default http://127.0.0.1:3000) and
 * HANDOVER_API_KEY (a reporter or admin key).
 */
async function main(): Promise<void> {
  const baseUrl = process.env.HANDOVER_URL ?? 'http://127.0.0.1:3000';
  const apiKey = process.env.HANDOVER_API_KEY;
  if (!apiKey) {
    console.error(
      'Set HANDOVER_API_KEY to a reporter (or admin) API key; HANDOVER_URL to the API (default http://127.0.0.1:3000).',
    );
    process.exit(64);
  }
  const result = await requestWeeklyReport({
    baseUrl,
    apiKey,
    log: (message) => console.error(message),
  });
  console.log(
    `${result.status === 201 ? 'Created' : 'Already had'} the risk report of ${result.week}: ${result.url}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof ReportClientError ? error.message : error);
  process.exit(1);
});
