import { Global, Injectable, Module } from '@nestjs/common';
import { todayUtc } from './dates.js';

/**
 * "Today" as one injectable: risk is judged and reports are dated as of today, and tests move
 * today by replacing `now` instead of waiting a week. Only these calendar-date decisions read
 * it; recorded timestamps (createdAt, activatedAt, a report's generatedAt) are the real time.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  /** Today's calendar date in UTC, as YYYY-MM-DD. */
  today(): string {
    return todayUtc(this.now());
  }
}

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
