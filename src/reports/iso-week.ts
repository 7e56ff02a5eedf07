const DAY_MS = 86_400_000;
const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;

/** The ISO 8601 week of a YYYY-MM-DD date, as `YYYY-Www` (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeekOf(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Number of ISO weeks of a year: 53 when it starts on a Thursday, or is a leap year starting on a Wednesday. */
export function isoWeeksInYear(year: number): number {
  return isoWeekOf(`${year}-12-28`) === `${year}-W53` ? 53 : 52;
}

/** True for an existing ISO week such as `2026-W47` (`2026-W54` and `2026-W00` do not exist). */
export function isValidIsoWeek(week: string): boolean {
  const match = WEEK_PATTERN.exec(week);
  if (!match) return false;
  const [year, number] = [Number(match[1]), Number(match[2])];
  return year >= 1900 && number >= 1 && number <= isoWeeksInYear(year);
}
