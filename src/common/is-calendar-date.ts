import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isCalendarDate } from './dto-helpers.js';

/** A `YYYY-MM-DD` date that exists on the calendar, between years 1900 and 9999. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be a date as YYYY-MM-DD`, ...options },
      validator: {
        validate: (value: unknown) =>
          isCalendarDate(value) && value >= '1900-01-01' && value <= '9999-12-31',
      },
    });
}
