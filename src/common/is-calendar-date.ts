import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isCalendarDate } from './dto-helpers.js';

/** A `YYYY-MM-DD` date that exists on the calendar, between years 1900 and 9999. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return IsCalendarDateBetween('1900-01-01', '9999-12-31', options);
}

/** A `YYYY-MM-DD` date that exists on the calendar, from `first` to `last` inclusive. */
export function IsCalendarDateBetween(
  first: string,
  last: string,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message:
          last === '9999-12-31'
            ? `${String(propertyName)} must be a date as YYYY-MM-DD`
            : `${String(propertyName)} must be a date as YYYY-MM-DD from ${first} to ${last}`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => isCalendarDate(value) && value >= first && value <= last,
      },
    });
}
