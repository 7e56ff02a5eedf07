import { negotiate } from './content-negotiation.js';

describe('negotiate', () => {
  const json = ['application/json'];

  it.each([
    [undefined, 'application/json'],
    ['', 'application/json'],
    ['application/json', 'application/json'],
    ['application/*', 'application/json'],
    ['*/*', 'application/json'],
    ['text/html, application/json;q=0.9', 'application/json'],
    ['APPLICATION/JSON', 'application/json'],
  ])('accepts JSON for Accept %p', (accept, expected) => {
    expect(negotiate(accept, json)).toBe(expected);
  });

  it.each([
    'text/csv',
    'text/*',
    'application/json;q=0',
    'image/png, text/html',
    'application/json;q=0, */*',
    'application/*;q=0, */*;q=1',
  ])('finds nothing acceptable for Accept %p', (accept) => {
    expect(negotiate(accept, json)).toBeUndefined();
  });

  it('prefers the format with the highest quality', () => {
    const formats = ['application/json', 'text/csv', 'text/html'];
    expect(negotiate('text/csv;q=0.9, text/html', formats)).toBe('text/html');
    expect(negotiate('text/*;q=0.5, application/json;q=0.4', formats)).toBe('text/csv');
  });

  it('lets the more specific range decide over a wildcard', () => {
    const formats = ['text/csv', 'application/x-ndjson'];
    expect(negotiate('text/csv;q=0, */*', formats)).toBe('application/x-ndjson');
    expect(negotiate('text/*;q=0.1, text/csv;q=0.9, */*;q=0.5', formats)).toBe('text/csv');
  });
});
