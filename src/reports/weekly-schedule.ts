import { todayUtc } from '../common/dates.js';
import { isoWeekOf } from './iso-week.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface WeeklySlot {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Hour of the day, UTC. */
  hour: number;
}

/** The first moment strictly after `now` that falls on the slot's weekday and hour (UTC). */
export function nextWeeklyRun(now: Date, slot: WeeklySlot): Date {
  const isoWeekday = now.getUTCDay() === 0 ? 7 : now.getUTCDay();
  const candidate = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), slot.hour) +
      ((slot.weekday - isoWeekday + 7) % 7) * DAY_MS,
  );
  return candidate > now ? candidate : new Date(candidate.getTime() + 7 * DAY_MS);
}

/**
 * When to ask next. After a success: the next slot. After a failure: again in an hour while the
 * week lasts, since only the current week's report can be generated and a missed week is lost.
 */
export function nextAttempt(now: Date, slot: WeeklySlot, lastFailed: boolean): Date {
  const scheduled = nextWeeklyRun(now, slot);
  if (!lastFailed) return scheduled;
  const retry = new Date(now.getTime() + HOUR_MS);
  const sameWeek = isoWeekOf(todayUtc(retry)) === isoWeekOf(todayUtc(now));
  return sameWeek && retry < scheduled ? retry : scheduled;
}

/** Reads `REPORT_WEEKDAY` (1–7) and `REPORT_HOUR_UTC` (0–23); Monday 06:00 by default. */
export function weeklySlotFrom(env: Record<string, string | undefined>): WeeklySlot {
  const read = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  return { weekday: read('REPORT_WEEKDAY', 1, 1, 7), hour: read('REPORT_HOUR_UTC', 6, 0, 23) };
}
