import { auditedView, creationChanges, diffChanges } from './changes.js';

describe('diffChanges', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['two empty snapshots', {}, {}],
    ['equal strings and numbers', { name: 'Acme', version: 2 }, { name: 'Acme', version: 2 }],
    ['equal booleans', { active: false }, { active: false }],
    ['null on both sides', { notes: null }, { notes: null }],
    ['undefined before and null after', { notes: undefined }, { notes: null }],
    ['null before and undefined after', { notes: null }, { notes: undefined }],
    ['a missing field before and null after', {}, { notes: null }],
    ['undefined before and a missing field after', { notes: undefined }, {}],
    ['equal arrays in different instances', { ids: ['a', 'b'] }, { ids: ['a', 'b'] }],
    [
      'equal nested objects in different instances',
      { spec: { problem: 'p', metrics: [{ name: 'n', target: 't' }] } },
      { spec: { problem: 'p', metrics: [{ name: 'n', target: 't' }] } },
    ],
    [
      'equal dates in different instances',
      { dueDate: new Date('2026-11-21T00:00:00Z') },
      { dueDate: new Date('2026-11-21T00:00:00Z') },
    ],
  ])('reports no change for %s', (_label, before, after) => {
    expect(diffChanges(before, after)).toEqual({});
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, unknown, unknown]>([
    ['a changed string', { name: 'Acme' }, { name: 'Acme Corp' }, 'Acme', 'Acme Corp'],
    ['a changed number', { version: 1 }, { version: 2 }, 1, 2],
    ['a number that became its string', { version: 1 }, { version: '1' }, 1, '1'],
    ['a value that became null', { name: 'Acme' }, { name: null }, 'Acme', null],
    ['a value that became undefined', { name: 'Acme' }, { name: undefined }, 'Acme', null],
    ['an added field', {}, { name: 'Acme' }, null, 'Acme'],
    ['a removed field', { name: 'Acme' }, {}, 'Acme', null],
    ['an array with another element', { ids: ['a'] }, { ids: ['a', 'b'] }, ['a'], ['a', 'b']],
    ['a reordered array', { ids: ['a', 'b'] }, { ids: ['b', 'a'] }, ['a', 'b'], ['b', 'a']],
    ['an array that became empty', { ids: ['a'] }, { ids: [] }, ['a'], []],
    [
      'a nested object with a changed value',
      { spec: { problem: 'old', tags: ['x'] } },
      { spec: { problem: 'new', tags: ['x'] } },
      { problem: 'old', tags: ['x'] },
      { problem: 'new', tags: ['x'] },
    ],
    [
      'a nested object with an added key',
      { spec: { problem: 'p' } },
      { spec: { problem: 'p', rule: 'r' } },
      { problem: 'p' },
      { problem: 'p', rule: 'r' },
    ],
    ['false that became null', { active: false }, { active: null }, false, null],
    ['0 that became null', { days: 0 }, { days: null }, 0, null],
    ['an empty string that became null', { notes: '' }, { notes: null }, '', null],
  ])('reports %s as { from, to }', (_label, before, after, from, to) => {
    const field = Object.keys({ ...before, ...after })[0];
    expect(diffChanges(before, after)).toEqual({ [field]: { from, to } });
  });

  it('reports only the fields that changed, among unchanged ones', () => {
    const before = { id: 'e1', title: 'Old', ids: ['a'], notes: undefined, removed: 1 };
    const after = { id: 'e1', title: 'New', ids: ['a'], notes: null, added: true };
    expect(diffChanges(before, after)).toEqual({
      title: { from: 'Old', to: 'New' },
      removed: { from: 1, to: null },
      added: { from: null, to: true },
    });
  });

  it('keeps the original values, not copies, in from and to', () => {
    const from = ['a'];
    const to = ['b'];
    const changes = diffChanges({ ids: from }, { ids: to });
    expect(changes.ids.from).toBe(from);
    expect(changes.ids.to).toBe(to);
  });
});

describe('creationChanges', () => {
  it('reports every field with a value as changed from null', () => {
    expect(
      creationChanges({ name: 'Acme', version: 1, ids: ['a'], spec: { problem: 'p' } }),
    ).toEqual({
      name: { from: null, to: 'Acme' },
      version: { from: null, to: 1 },
      ids: { from: null, to: ['a'] },
      spec: { from: null, to: { problem: 'p' } },
    });
  });

  it('omits fields that are null or undefined', () => {
    expect(creationChanges({ name: 'Acme', notes: null, website: undefined })).toEqual({
      name: { from: null, to: 'Acme' },
    });
  });

  it.each<[string, unknown]>([
    ['false', false],
    ['0', 0],
    ['an empty string', ''],
    ['an empty array', []],
  ])('reports a falsy value (%s) as created', (_label, value) => {
    expect(creationChanges({ field: value })).toEqual({ field: { from: null, to: value } });
  });

  it('reports nothing for an empty entity', () => {
    expect(creationChanges({})).toEqual({});
  });
});

describe('diffChanges and key order', () => {
  it('treats objects with the same contents in another key order as unchanged', () => {
    expect(
      diffChanges({ m: { name: 'a', target: 'b' } }, { m: { target: 'b', name: 'a' } }),
    ).toEqual({});
  });
});

describe('auditedView', () => {
  it('keeps every field but the bookkeeping ones, without changing the response', () => {
    const response = { id: 'd-1', kind: 'restore', notes: null, version: 2 };
    expect(auditedView(response, ['id', 'version'])).toEqual({ kind: 'restore', notes: null });
    expect(response).toEqual({ id: 'd-1', kind: 'restore', notes: null, version: 2 });
  });
});
