import { ReportClientError, requestWeeklyReport } from '../src/reports/report-client.js';
import { nextWeeklyRun, weeklySlotFrom } from '../src/reports/weekly-schedule.js';

/**
 * A long-running weekly scheduler for setups without cron (the compose `scheduler` service):
 * makes sure this week's report exists at start, then asks again every week at
 * REPORT_WEEKDAY / REPORT_HOUR_UTC (Monday 06:00 UTC by default). Asking twice in a week is
 * harmless: the API returns the week's existing report.
 */
const log = (message: string) => console.log(`${new Date().toISOString()} ${message}`);

async function runOnce(baseUrl: string, apiKey: string): Promise<void> {
  try {
    const result = await requestWeeklyReport({ baseUrl, apiKey, log });
    log(
      `${result.status === 201 ? 'Created' : 'Already had'} the risk report of ${result.week}: ${result.url}`,
    );
  } catch (error) {
    // Keep the schedule: a failed week is logged, and the next week tries again.
    log(
      `The weekly report failed: ${error instanceof ReportClientError ? error.message : String(error)}`,
    );
  }
}

async function main(): Promise<void> {
  const baseUrl = process.env.HANDOVER_URL ?? 'http://127.0.0.1:3000';
  const apiKey = process.env.HANDOVER_API_KEY;
  if (!apiKey) {
    console.error('Set HANDOVER_API_KEY to a reporter (or admin) API key.');
    process.exit(64);
  }
  const slot = weeklySlotFrom(process.env);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
  await runOnce(baseUrl, apiKey);
  for (;;) {
    const next = nextWeeklyRun(new Date(), slot);
    log(`Next report at ${next.toISOString()}`);
    // setTimeout caps at 2^31 ms (about 24.8 days); a week fits.
    await new Promise((resolve) => setTimeout(resolve, next.getTime() - Date.now()));
    await runOnce(baseUrl, apiKey);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
