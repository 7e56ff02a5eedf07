import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsUrl, MaxLength, ValidateIf } from 'class-validator';

/** Trims surrounding whitespace of a string input (other values pass unchanged to validation). */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * Documented length caps (`maxLength`) of strings whose format validator (IsUUID,
 * IsCalendarDate) already refuses any other length; a MaxLength validator next to it would
 * only add a second, misleading message for a missing value. Free-form date-times get both.
 */
export const UUID_LENGTH = 36;
export const DATE_LENGTH = 10;
export const DATE_TIME_MAX_LENGTH = 40;

/** `YYYY-MM-DD` calendar dates that exist (2026-02-30 does not). */
export const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DATE_PATTERN.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The field may be absent; when present it is validated, and `null` is refused. */
export const Optional = () => ValidateIf((_: unknown, value: unknown) => value !== undefined);

/** The field may be absent or `null` (which clears it). */
export const Nullable = () =>
  ValidateIf((_: unknown, value: unknown) => value !== undefined && value !== null);

export const EVIDENCE_URL_MAX_LENGTH = 2048;

/** Where evidence can be reviewed: an http(s) URL, internal hosts without a TLD included. */
export const IsEvidenceUrl = () =>
  applyDecorators(
    IsUrl(
      { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
      { message: 'evidenceUrl must be an http(s) URL' },
    ),
    MaxLength(EVIDENCE_URL_MAX_LENGTH),
  );
