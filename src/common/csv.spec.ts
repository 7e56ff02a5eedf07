import { csvField, joinList, joinPairs, splitList, splitPairs, unneutralized } from './csv.js';

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+1 555', "'+1 555"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tTab', "'\tTab"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    [null, ''],
    [42, '42'],
  ])('writes %p as %p', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('unneutralized', () => {
  it.each(['=SUM(A1:A9)', '+1 555', '-2+3', '@cmd', "'=already quoted", "'plain", 'plain', ''])(
    'reads back %p exactly as csvField wrote it',
    (value) => {
      const written = csvField(value).replace(/^"|"$/g, '').replace(/""/g, '"');
      expect(unneutralized(written)).toBe(value);
    },
  );

  it('keeps an apostrophe that does not come before a formula character', () => {
    expect(unneutralized("'tis")).toBe("'tis");
  });
});

describe('joinList and splitList', () => {
  it.each([[['a', 'b']], [['has; semicolon', 'back\\slash']], [['one']]])(
    'round-trips %p',
    (items) => {
      expect(splitList(joinList(items, ';'), ';')).toEqual(items);
    },
  );

  it('trims items and drops empty ones', () => {
    expect(splitList(' a ;; b ;', ';')).toEqual(['a', 'b']);
  });
});

describe('joinPairs and splitPairs', () => {
  it.each([
    [[{ name: 'Accuracy', target: '≥ 97 %' }]],
    [
      [
        { name: 'Latency: p95', target: '< 2 s; always' },
        { name: 'a\\b', target: 'c' },
      ],
    ],
  ])('round-trips %p', (pairs) => {
    expect(splitPairs(joinPairs(pairs))).toEqual(pairs);
  });

  it('splits each pair at its first colon', () => {
    expect(splitPairs('Accuracy: 97 %; Cost: €8k: monthly')).toEqual([
      { name: 'Accuracy', target: '97 %' },
      { name: 'Cost', target: '€8k: monthly' },
    ]);
  });

  it('reads nothing from a pair without a colon', () => {
    expect(splitPairs('Accuracy 97 %')).toBeUndefined();
  });
});
