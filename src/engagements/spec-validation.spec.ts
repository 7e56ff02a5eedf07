import {
  isPlaceholder,
  MIN_PROBLEM_LENGTH,
  type SpecInput,
  validateSpec,
} from './spec-validation.js';

const PROBLEM_20 = 'Checkout p95 is 4.2s'; // exactly 20 characters
const PROBLEM_19 = 'Checkout p95 is 4.2'; // exactly 19 characters

const validSpec = (): SpecInput => ({
  problem: 'Checkout latency p95 is 4 seconds and conversion drops at peak.',
  successMetrics: [
    { name: 'Checkout p95 latency', target: '< 800 ms', measurement: 'Grafana dashboard' },
  ],
  constraints: ['GDPR: no personal data leaves the EU'],
  tradeOffOwnerId: '7b0c3f9e-1d2a-4c5b-8e6f-0a1b2c3d4e5f',
  tradeOffRule: 'Latency beats features until the target is met.',
});

const withSpec = (overrides: Partial<Record<keyof SpecInput, unknown>>): SpecInput => ({
  ...validSpec(),
  ...overrides,
});

const fieldsOf = (spec: SpecInput | undefined): (string | undefined)[] =>
  validateSpec(spec).map((problem) => problem.field);

describe('isPlaceholder', () => {
  it.each([
    'TBD',
    'tbd',
    'TBD.',
    'tbd...',
    'TBA',
    'TODO',
    'todo',
    'To do',
    'To be defined',
    'to be determined',
    'To be decided',
    'N/A',
    'n/a',
    'N/A.',
    'NA',
    'None',
    'unknown',
    'Placeholder',
    'xxx',
    'FIXME',
    'Lorem ipsum',
    '  TBD  ',
    '\tTODO\n',
    '-',
    '--',
    '—',
    '–',
    '_',
    '?',
    '???',
    '...',
    '…',
    '*',
    '/',
    '\\',
    '|',
    '#',
    '~',
    '- ? -',
    '',
    ' ',
    '   ',
    '\t\n',
    '.',
    '!',
    ':',
    ';',
  ])('treats %j as a placeholder', (value) => {
    expect(isPlaceholder(value)).toBe(true);
  });

  it.each([
    'p95',
    'GDPR',
    'SLA',
    'EU',
    'uptime',
    '99.9%',
    '< 800 ms',
    '0',
    'TBD by Friday: the vendor owns latency',
    'No personal data leaves the EU',
    'todo list app',
    'n/a for EU customers only',
    'Nonetheless',
    '-5%',
    '?!x',
  ])('accepts %j as a real value', (value) => {
    expect(isPlaceholder(value)).toBe(false);
  });
});

describe('validateSpec', () => {
  it('returns no problems for a valid spec', () => {
    expect(validateSpec(validSpec())).toEqual([]);
  });

  it('accepts a spec without the optional tradeOffRule and measurement', () => {
    const spec = withSpec({
      successMetrics: [{ name: 'Error rate', target: '< 0.1%' }],
      tradeOffRule: undefined,
    });
    expect(validateSpec(spec)).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
  ])('accepts a %s tradeOffRule and measurement as absent', (_label, value) => {
    const spec = withSpec({
      successMetrics: [{ name: 'Error rate', target: '< 0.1%', measurement: value }],
      tradeOffRule: value,
    });
    expect(validateSpec(spec)).toEqual([]);
  });

  it.each<[string, SpecInput | undefined]>([
    ['a missing spec', undefined],
    ['a null spec', null as unknown as SpecInput],
  ])('names each of the four required fields for %s', (_label, spec) => {
    expect(validateSpec(spec)).toEqual([
      { field: 'spec.problem', message: 'spec.problem is required' },
      { field: 'spec.successMetrics', message: 'spec.successMetrics is required' },
      { field: 'spec.constraints', message: 'spec.constraints is required' },
      { field: 'spec.tradeOffOwnerId', message: 'spec.tradeOffOwnerId is required' },
    ]);
  });

  it('names every required field of an empty spec at once', () => {
    expect(validateSpec({})).toEqual([
      { field: 'spec.problem', message: 'spec.problem is required' },
      { field: 'spec.successMetrics', message: 'spec.successMetrics is required' },
      { field: 'spec.constraints', message: 'spec.constraints is required' },
      { field: 'spec.tradeOffOwnerId', message: 'spec.tradeOffOwnerId is required' },
    ]);
  });

  it.each<[keyof SpecInput, unknown]>([
    ['problem', undefined],
    ['problem', null],
    ['successMetrics', undefined],
    ['successMetrics', null],
    ['constraints', undefined],
    ['constraints', null],
    ['tradeOffOwnerId', undefined],
    ['tradeOffOwnerId', null],
  ])('requires %s (given %p) and reports only it', (field, value) => {
    expect(validateSpec(withSpec({ [field]: value }))).toEqual([
      { field: `spec.${field}`, message: `spec.${field} is required` },
    ]);
  });

  describe('problem', () => {
    it('requires at least 20 characters', () => {
      expect(MIN_PROBLEM_LENGTH).toBe(20);
    });

    it.each<[string, string]>([
      ['of 20 characters', PROBLEM_20],
      ['of 20 characters surrounded by whitespace', `  ${PROBLEM_20}\n`],
      ['containing a short word such as p95', 'The p95 of checkout is far too slow at peak.'],
    ])('accepts a problem statement %s', (_label, problem) => {
      expect(PROBLEM_20).toHaveLength(20);
      expect(validateSpec(withSpec({ problem }))).toEqual([]);
    });

    it.each<[string, string]>([
      ['of 19 characters', PROBLEM_19],
      ['of 19 characters padded with whitespace to 25', `   ${PROBLEM_19}   `],
      ['of 1 character', 'x'],
    ])('rejects a problem statement %s', (_label, problem) => {
      expect(PROBLEM_19).toHaveLength(19);
      expect(validateSpec(withSpec({ problem }))).toEqual([
        { field: 'spec.problem', message: 'spec.problem must be at least 20 characters' },
      ]);
    });

    it.each(['TBD', 'TODO', 'n/a', '...', '…', '', '   ', 'TBD.', 'to be determined'])(
      'rejects the placeholder %j as a problem statement',
      (problem) => {
        expect(validateSpec(withSpec({ problem }))).toEqual([
          {
            field: 'spec.problem',
            message: 'spec.problem must say something specific, not a placeholder',
          },
        ]);
      },
    );

    it('rejects a problem that is not a string', () => {
      expect(validateSpec(withSpec({ problem: 42 }))).toEqual([
        { field: 'spec.problem', message: 'spec.problem must be a string' },
      ]);
    });
  });

  describe('successMetrics', () => {
    it('rejects an empty list of metrics', () => {
      expect(validateSpec(withSpec({ successMetrics: [] }))).toEqual([
        { field: 'spec.successMetrics', message: 'spec.successMetrics needs at least one metric' },
      ]);
    });

    it('rejects successMetrics that is not an array', () => {
      expect(validateSpec(withSpec({ successMetrics: { name: 'a', target: 'b' } }))).toEqual([
        { field: 'spec.successMetrics', message: 'spec.successMetrics needs at least one metric' },
      ]);
    });

    it.each<[string, unknown]>([
      ['null', null],
      ['a string', 'latency'],
      ['a number', 3],
    ])('rejects a metric that is %s', (_label, metric) => {
      expect(validateSpec(withSpec({ successMetrics: [metric] }))).toEqual([
        {
          field: 'spec.successMetrics[0]',
          message: 'spec.successMetrics[0] must be an object with name and target',
        },
      ]);
    });

    it.each<[string, Record<string, unknown>, string, string]>([
      ['without a name', { target: '< 800 ms' }, 'name', 'is required'],
      ['with a null name', { name: null, target: '< 800 ms' }, 'name', 'is required'],
      ['without a target', { name: 'Latency' }, 'target', 'is required'],
      ['with a null target', { name: 'Latency', target: null }, 'target', 'is required'],
      ['with a numeric target', { name: 'Latency', target: 800 }, 'target', 'must be a string'],
      [
        'with the placeholder name TBD',
        { name: 'TBD', target: '< 800 ms' },
        'name',
        'must say something specific, not a placeholder',
      ],
      [
        'with an empty name',
        { name: '', target: '< 800 ms' },
        'name',
        'must say something specific, not a placeholder',
      ],
      [
        'with the placeholder target ?',
        { name: 'Latency', target: '?' },
        'target',
        'must say something specific, not a placeholder',
      ],
      [
        'with a whitespace-only target',
        { name: 'Latency', target: '  ' },
        'target',
        'must say something specific, not a placeholder',
      ],
      [
        'with the placeholder measurement n/a',
        { name: 'Latency', target: '< 800 ms', measurement: 'n/a' },
        'measurement',
        'must say something specific, not a placeholder',
      ],
      [
        'with an empty measurement',
        { name: 'Latency', target: '< 800 ms', measurement: '' },
        'measurement',
        'must say something specific, not a placeholder',
      ],
    ])('rejects a metric %s', (_label, metric, key, message) => {
      const field = `spec.successMetrics[0].${key}`;
      expect(validateSpec(withSpec({ successMetrics: [metric] }))).toEqual([
        { field, message: `${field} ${message}` },
      ]);
    });

    it('accepts short but specific metric names and targets', () => {
      const spec = withSpec({ successMetrics: [{ name: 'p95', target: '1s' }] });
      expect(validateSpec(spec)).toEqual([]);
    });

    it('names the index of each faulty metric', () => {
      const spec = withSpec({
        successMetrics: [
          { name: 'Latency', target: '< 800 ms' },
          { name: 'TODO', target: 'TBD' },
          { target: '99.9%', measurement: '...' },
        ],
      });
      expect(fieldsOf(spec)).toEqual([
        'spec.successMetrics[1].name',
        'spec.successMetrics[1].target',
        'spec.successMetrics[2].name',
        'spec.successMetrics[2].measurement',
      ]);
    });
  });

  describe('constraints', () => {
    it('rejects an empty list of constraints', () => {
      expect(validateSpec(withSpec({ constraints: [] }))).toEqual([
        { field: 'spec.constraints', message: 'spec.constraints needs at least one constraint' },
      ]);
    });

    it('rejects constraints that is not an array', () => {
      expect(validateSpec(withSpec({ constraints: 'GDPR' }))).toEqual([
        { field: 'spec.constraints', message: 'spec.constraints needs at least one constraint' },
      ]);
    });

    it.each<[string, string]>([
      ['an empty string', ''],
      ['whitespace only', ' \t '],
      ['the placeholder TBD', 'TBD'],
      ['the placeholder -', '-'],
      ['the placeholder none', 'none'],
    ])('rejects a constraint that is %s', (_label, constraint) => {
      expect(validateSpec(withSpec({ constraints: ['GDPR', constraint] }))).toEqual([
        {
          field: 'spec.constraints[1]',
          message: 'spec.constraints[1] must say something specific, not a placeholder',
        },
      ]);
    });

    it.each<[string, unknown, string]>([
      ['null', null, 'is required'],
      ['a number', 7, 'must be a string'],
    ])('rejects a constraint that is %s', (_label, constraint, message) => {
      expect(validateSpec(withSpec({ constraints: [constraint] }))).toEqual([
        { field: 'spec.constraints[0]', message: `spec.constraints[0] ${message}` },
      ]);
    });

    it('accepts a short but specific constraint such as GDPR', () => {
      expect(validateSpec(withSpec({ constraints: ['GDPR'] }))).toEqual([]);
    });
  });

  describe('tradeOffRule', () => {
    it.each(['TBD', 'n/a', '', '   ', '?'])('rejects the placeholder tradeOffRule %j', (rule) => {
      expect(validateSpec(withSpec({ tradeOffRule: rule }))).toEqual([
        {
          field: 'spec.tradeOffRule',
          message: 'spec.tradeOffRule must say something specific, not a placeholder',
        },
      ]);
    });

    it('rejects a tradeOffRule that is not a string', () => {
      expect(validateSpec(withSpec({ tradeOffRule: true }))).toEqual([
        { field: 'spec.tradeOffRule', message: 'spec.tradeOffRule must be a string' },
      ]);
    });
  });

  it('returns every problem at once, in field order', () => {
    const spec: SpecInput = {
      problem: 'Too short',
      successMetrics: [{ name: 'TBD' }],
      constraints: ['GDPR', '   '],
      tradeOffRule: 'TODO',
    };
    expect(validateSpec(spec)).toEqual([
      { field: 'spec.problem', message: 'spec.problem must be at least 20 characters' },
      {
        field: 'spec.successMetrics[0].name',
        message: 'spec.successMetrics[0].name must say something specific, not a placeholder',
      },
      {
        field: 'spec.successMetrics[0].target',
        message: 'spec.successMetrics[0].target is required',
      },
      {
        field: 'spec.constraints[1]',
        message: 'spec.constraints[1] must say something specific, not a placeholder',
      },
      { field: 'spec.tradeOffOwnerId', message: 'spec.tradeOffOwnerId is required' },
      {
        field: 'spec.tradeOffRule',
        message: 'spec.tradeOffRule must say something specific, not a placeholder',
      },
    ]);
  });
});
