import { PROBLEM_LIMITS, problemBody } from './problem.js';

describe('problemBody', () => {
  it('keeps a problem within the documented bounds however large the input that caused it', () => {
    const long = 'x'.repeat(100_000);
    const body = problemBody(
      {
        status: 400,
        type: 'validation',
        title: long,
        detail: long,
        errors: Array.from({ length: 1000 }, (_, i) => ({ field: `${long}${i}`, message: long })),
      },
      `/v1/${long}`,
      'request-1',
    );
    expect(body.title).toHaveLength(PROBLEM_LIMITS.title);
    expect(body.detail).toHaveLength(PROBLEM_LIMITS.text);
    expect(body.instance).toHaveLength(PROBLEM_LIMITS.instance);
    expect(body.errors).toHaveLength(PROBLEM_LIMITS.items);
    expect(body.errors?.[0].field).toHaveLength(PROBLEM_LIMITS.field);
    expect(body.errors?.[0].message).toHaveLength(PROBLEM_LIMITS.text);
    expect(body.errors?.[0].field?.endsWith('…')).toBe(true);
  });

  it('leaves a problem of ordinary size unchanged', () => {
    const errors = [
      { field: 'name', message: 'name is required' },
      { code: 'NO_SPEC', message: 'No spec.' },
    ];
    expect(
      problemBody({ status: 409, type: 'conflict', detail: 'Cannot.', errors }, '/v1/x', 'r'),
    ).toEqual({
      type: 'urn:handover:problem:conflict',
      title: 'Conflict',
      status: 409,
      detail: 'Cannot.',
      instance: '/v1/x',
      requestId: 'r',
      errors,
    });
  });
});
