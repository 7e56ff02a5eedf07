import { ReportClientError, requestWeeklyReport } from '../src/reports/report-client.js';
import { nextAttempt, weeklySlotFrom } from '../src/reports/weekly-schedule.js';

/**
 * A long-running weekly scheduler for setups without cron (the compose `scheduler` service):
 * makes sure this week's report exists at start, then asks again every week at
 * REPORT_WEEKDAY / REPORT_HOUR_UTC (Monday 06:00 UTC by default), and hourly after a failure
 * until the week ends. Asking twice in a week is harmless: the API returns the week's report.
 */
const log = (message: string) => console.log(`${new Date().toISOString()} ${message}`);

/** Asks for this week's report; true when the API has it. */
async function runOnce(baseUrl: string, apiKey: string): Promise<boolean> {
  try {
    const result = await requestWeeklyReport({ baseUrl, apiKey, log });
    log(
      `${result.status === 201 ? 'Created' : 'Already had'} the risk report of ${result.week}: ${result.url}`,
    );
    return true;
  } catch (error) {
    // Keep running: the next attempt comes within the hour while the week lasts.
    log(
      `The weekly report failed: ${error instanceof ReportClientError ? error.message : String(error)}`,
    );
    return false;
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
  let succeeded = await runOnce(baseUrl, apiKey);
  let target = new Date();
  for (;;) {
    // From the later of now and the last target: a timer that fires early must not ask twice.
    const from = new Date(Math.max(Date.now(), target.getTime()));
    target = nextAttempt(from, slot, !succeeded);
    log(`Next ${succeeded ? 'report' : 'attempt'} at ${target.toISOString()}`);
    // setTimeout caps at 2^31 ms (about 24.8 days); a week fits.
    await new Promise((resolve) => setTimeout(resolve, target.getTime() - Date.now()));
    succeeded = await runOnce(baseUrl, apiKey);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
