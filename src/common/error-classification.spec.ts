import { QueryRunnerAlreadyReleasedError } from 'typeorm';
import {
  BodyTooDeepError,
  DATABASE_RETRY_AFTER_SECONDS,
  classifyError,
  isDatabaseUnavailable,
} from './error-classification.js';

/** An error as `pg` or Node's net module raises it: an Error with a string `code`. */
function codedError(code: string, message = 'failed'): Error {
  return Object.assign(new Error(message), { code });
}

/** The shape of TypeORM's QueryFailedError: the driver's error under `driverError`. */
function queryFailed(driverError: object): Error {
  return Object.assign(new Error('QueryFailedError'), { name: 'QueryFailedError', driverError });
}

/** An error as Fastify raises it before a route runs. */
function fastifyError(statusCode: number, code: string, message = 'Fastify failed'): Error {
  return Object.assign(new Error(message), { statusCode, code });
}

const PG_CONNECTION_CODES = [
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
];
const NODE_CONNECTION_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
];
const CONNECTION_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Connection is not established with postgres database',
  'connection timeout',
];

describe('isDatabaseUnavailable', () => {
  it.each(PG_CONNECTION_CODES)('is true for the PostgreSQL code %s', (code) => {
    expect(isDatabaseUnavailable(codedError(code))).toBe(true);
  });

  it.each(NODE_CONNECTION_CODES)('is true for the Node code %s', (code) => {
    expect(isDatabaseUnavailable(codedError(code))).toBe(true);
  });

  it.each(CONNECTION_MESSAGES)('is true for the message %j', (message) => {
    expect(isDatabaseUnavailable(new Error(message))).toBe(true);
  });

  it.each([...PG_CONNECTION_CODES, ...NODE_CONNECTION_CODES])(
    'is true for a QueryFailedError whose driverError has code %s',
    (code) => {
      expect(isDatabaseUnavailable(queryFailed({ code }))).toBe(true);
    },
  );

  it('is true for a QueryFailedError whose driverError message tells of a lost connection', () => {
    expect(
      isDatabaseUnavailable(queryFailed({ message: 'Connection terminated unexpectedly' })),
    ).toBe(true);
  });

  it("is true for TypeORM's released query runner (its connection failed mid-transaction)", () => {
    expect(isDatabaseUnavailable(new QueryRunnerAlreadyReleasedError())).toBe(true);
  });

  it('prefers the driverError code over the outer code', () => {
    const error = Object.assign(queryFailed({ code: '23505' }), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it.each([
    ['a unique violation', codedError('23505', 'duplicate key value')],
    ['a statement timeout', codedError('57014', 'canceling statement due to statement timeout')],
    ['a data exception', codedError('22P02', 'invalid input syntax for type uuid')],
    ['a QueryFailedError with a unique violation', queryFailed({ code: '23505' })],
    ['a plain Error', new Error('something broke')],
    ['a numeric code', Object.assign(new Error('x'), { code: 57 })],
    ['a lower-case connection code', codedError('econnrefused')],
    ['a message differing in case', new Error('CONNECTION TERMINATED')],
  ])('is false for %s', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'Connection refused'],
    ['a number', 42],
    ['an empty object', {}],
  ])('is false, without throwing, for %s', (_label, value) => {
    expect(isDatabaseUnavailable(value)).toBe(false);
  });

  it('matches connection messages on plain objects too', () => {
    expect(isDatabaseUnavailable({ message: 'Connection terminated' })).toBe(true);
  });
});

describe('classifyError', () => {
  const unavailable = {
    status: 503,
    type: 'database-unavailable',
    detail: 'The database is unreachable at the moment; retry shortly.',
    headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
  };

  it('waits 5 seconds before a retry', () => {
    expect(DATABASE_RETRY_AFTER_SECONDS).toBe(5);
  });

  it.each([
    ['ECONNREFUSED', codedError('ECONNREFUSED')],
    ['57P01 admin shutdown', codedError('57P01')],
    ['a QueryFailedError wrapping 57P03', queryFailed({ code: '57P03' })],
    ['a lost connection message', new Error('Connection terminated unexpectedly')],
  ])('answers 503 database-unavailable with Retry-After for %s', (_label, error) => {
    expect(classifyError(error)).toEqual(unavailable);
  });

  it.each([
    ['a pg error', codedError('57014', 'canceling statement due to statement timeout')],
    ['a QueryFailedError', queryFailed({ code: '57014' })],
  ])('answers 503 statement-timeout with Retry-After for 57014 in %s', (_label, error) => {
    expect(classifyError(error)).toEqual({
      status: 503,
      type: 'statement-timeout',
      detail: 'The database took too long to answer; retry shortly.',
      headers: { 'Retry-After': '5' },
    });
  });

  it.each([
    ['22P02', 'invalid_text_representation'],
    ['22003', 'numeric_value_out_of_range'],
    ['22001', 'string_data_right_truncation'],
    ['22007', 'invalid_datetime_format'],
    ['22008', 'datetime_field_overflow'],
    ['22021', 'character_not_in_repertoire'],
    ['22P05', 'untranslatable_character'],
    ['22000', 'data_exception'],
  ])('answers 400 invalid-value for the data exception %s (%s)', (code) => {
    const expected = {
      status: 400,
      type: 'invalid-value',
      detail: 'A value in the request is not acceptable (out of range or malformed).',
    };
    expect(classifyError(codedError(code))).toEqual(expected);
    expect(classifyError(queryFailed({ code }))).toEqual(expected);
  });

  it.each(['22', '220', '2200', '220001'])(
    'does not treat the code %j, not five characters long, as a data exception',
    (code) => {
      expect(classifyError(codedError(code))).toBeUndefined();
    },
  );

  it('answers 413 payload-too-large for a Fastify body limit error', () => {
    expect(
      classifyError(fastifyError(413, 'FST_ERR_CTP_BODY_TOO_LARGE', 'Request body is too large')),
    ).toEqual({
      status: 413,
      type: 'payload-too-large',
      detail: 'The request body is larger than the server accepts.',
    });
  });

  it('answers 415 unsupported-media-type for a Fastify media type error', () => {
    expect(
      classifyError(fastifyError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 'Unsupported Media Type')),
    ).toEqual({
      status: 415,
      type: 'unsupported-media-type',
      detail: 'Send request bodies as application/json (or text/csv to the import).',
    });
  });

  it('answers 400 malformed-body for an empty JSON body', () => {
    expect(
      classifyError(fastifyError(400, 'FST_ERR_CTP_EMPTY_JSON_BODY', 'Body cannot be empty')),
    ).toEqual({
      status: 400,
      type: 'malformed-body',
      detail: 'The body is empty although Content-Type is application/json.',
      errors: [{ field: 'body', message: 'empty' }],
    });
  });

  it('answers 400 malformed-body naming body and where the parser stopped for a SyntaxError', () => {
    const error = Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), {
      statusCode: 400,
    });
    expect(classifyError(error)).toEqual({
      status: 400,
      type: 'malformed-body',
      detail: 'The request body is not valid JSON.',
      errors: [{ field: 'body', message: 'Unexpected token } in JSON at position 9' }],
    });
  });

  it('answers 400 malformed-body for FST_ERR_CTP_INVALID_JSON_BODY', () => {
    expect(classifyError(fastifyError(400, 'FST_ERR_CTP_INVALID_JSON_BODY'))).toMatchObject({
      status: 400,
      type: 'malformed-body',
      detail: 'The request body is not valid JSON.',
    });
  });

  it('answers 400 validation naming body for a body nested too deeply', () => {
    expect(classifyError(new BodyTooDeepError(32))).toEqual({
      status: 400,
      type: 'validation',
      detail: 'The body nests objects or arrays too deeply.',
      errors: [
        { field: 'body', message: 'body must not nest objects or arrays more than 32 levels deep' },
      ],
    });
  });

  it('answers 400 bad-request with the error message for other 400 errors', () => {
    expect(
      classifyError(fastifyError(400, 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'Bad length')),
    ).toEqual({ status: 400, type: 'bad-request', detail: 'Bad length' });
  });

  it('answers bad-request with a default detail when a 4xx error has no message', () => {
    expect(classifyError({ statusCode: 400 })).toEqual({
      status: 400,
      type: 'bad-request',
      detail: 'Bad request.',
    });
  });

  it.each([404, 405, 431])('keeps the status %d of other 4xx HTTP-layer errors', (status) => {
    expect(classifyError(fastifyError(status, 'FST_ERR_X', 'Nope'))).toEqual({
      status,
      type: 'bad-request',
      detail: 'Nope',
    });
  });

  it('does not treat a SyntaxError without statusCode as a client error', () => {
    expect(classifyError(new SyntaxError('Unexpected token'))).toBeUndefined();
  });

  it.each([
    ['a plain Error', new Error('boom')],
    ['a TypeError', new TypeError('x is undefined')],
    ['a unique violation', codedError('23505')],
    ['a foreign key violation in a QueryFailedError', queryFailed({ code: '23503' })],
    ['a 500 statusCode', fastifyError(500, 'FST_ERR_X')],
    ['a 399 statusCode', fastifyError(399, 'FST_ERR_X')],
    ['a string statusCode', Object.assign(new Error('x'), { statusCode: '400' })],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'error'],
  ])('returns undefined for an unexpected error: %s', (_label, error) => {
    expect(classifyError(error)).toBeUndefined();
  });
});
