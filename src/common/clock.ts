import { Global, Injectable, Module } from '@nestjs/common';
import { todayUtc } from './dates.js';

/**
 * The current time, as one injectable: risk is judged and reports are dated "as of today",
 * and tests move today by replacing `now` instead of waiting a week.
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
