import { isAbsolute, resolve } from 'node:path';
import { ConfigError, LOG_LEVELS, MIN_ADMIN_API_KEY_LENGTH, loadConfig } from './config.js';

type Env = Record<string, string | undefined>;

const VALID_KEY = 'k'.repeat(MIN_ADMIN_API_KEY_LENGTH);

/** Runs loadConfig expecting a ConfigError and returns it. */
function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('returns the documented defaults for an empty environment', () => {
      expect(loadConfig({})).toEqual({
        port: 3000,
        host: '127.0.0.1',
        databaseUrl: undefined,
        dataDir: resolve('./data'),
        dbPoolSize: 10,
        dbMigrate: true,
        dbStatementTimeoutMs: 15000,
        adminApiKey: undefined,
        logLevel: 'info',
        logFormat: 'auto',
        rateLimitMax: 600,
        rateLimitWindowSeconds: 60,
        rateLimitAnonMax: 60,
        idempotencyAbandonedAfterSeconds: 300,
        trustProxy: [],
        bodyLimitBytes: 1_048_576,
        imports: { maxRows: 5000, maxBytes: 10_485_760 },
        shutdownTimeoutMs: 10000,
        risk: {
          slipDaysHigh: 30,
          slipCountHigh: 2,
          ktWindowDays: 30,
          ktMinAccepted: 0.5,
          operatorEvidenceDays: 180,
          upskillingWindowDays: null,
        },
        riskForecastDays: 90,
        sprintLength: { minDays: 28, maxDays: 56 },
        defaultMinIndependentOperators: 0,
        eventRetentionDays: 90,
        eventDueSoonDays: 7,
        clockIntervalMinutes: 60,
        webhooks: {
          allowHttp: false,
          allowLoopback: false,
          denyPrivate: false,
          timeoutMs: 10_000,
          maxAttempts: 8,
          retryScheduleMs: [
            10_000, 60_000, 600_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
          ],
          disableAfter: 20,
          pollMs: 1000,
          concurrency: 8,
        },
        escalationGraceDays: 7,
      });
    });

    it('treats empty and whitespace-only values as unset', () => {
      const env: Env = {
        PORT: '',
        HOST: '   ',
        DATABASE_URL: '',
        DATA_DIR: ' ',
        DB_MIGRATE: '',
        ADMIN_API_KEY: '  ',
        LOG_LEVEL: '',
        RATE_LIMIT_MAX: '\t',
      };
      expect(loadConfig(env)).toEqual(loadConfig({}));
    });

    it('trims surrounding whitespace from values', () => {
      const config = loadConfig({ PORT: ' 8080 ', HOST: ' 0.0.0.0 ', LOG_LEVEL: ' debug ' });
      expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', logLevel: 'debug' });
    });

    it('reads process.env when no environment is passed', () => {
      expect(() => loadConfig()).not.toThrow();
    });
  });

  describe('whole-number variables', () => {
    const integers: [variable: string, key: string, min: number, max: number][] = [
      ['PORT', 'port', 0, 65535],
      ['DB_POOL_SIZE', 'dbPoolSize', 1, 1000],
      ['DB_STATEMENT_TIMEOUT_MS', 'dbStatementTimeoutMs', 0, 3_600_000],
      ['RATE_LIMIT_MAX', 'rateLimitMax', 0, 1_000_000],
      ['RATE_LIMIT_WINDOW_SECONDS', 'rateLimitWindowSeconds', 1, 86_400],
      ['RATE_LIMIT_ANON_MAX', 'rateLimitAnonMax', 0, 1_000_000],
      ['IDEMPOTENCY_ABANDONED_AFTER_SECONDS', 'idempotencyAbandonedAfterSeconds', 1, 86_400],
      ['BODY_LIMIT_BYTES', 'bodyLimitBytes', 1024, 104_857_600],
      ['SHUTDOWN_TIMEOUT_MS', 'shutdownTimeoutMs', 0, 600_000],
      ['DEFAULT_MIN_INDEPENDENT_OPERATORS', 'defaultMinIndependentOperators', 0, 50],
    ];

    describe.each(integers)('%s', (variable, key, min, max) => {
      it.each([min, max, Math.floor((min + max) / 2)])('accepts %d', (value) => {
        expect(loadConfig({ [variable]: String(value) })).toMatchObject({ [key]: value });
      });

      it.each([
        ['below the minimum', String(min - 1)],
        ['above the maximum', String(max + 1)],
        ['negative', '-1'],
        ['fractional', '1.5'],
        ['not a number', 'abc'],
        ['with a unit', '10s'],
        ['in exponent notation', '1e3'],
        ['in hexadecimal', '0x10'],
        ['absurdly large', '9'.repeat(30)],
      ])('rejects a value %s naming the variable and the range', (_label, raw) => {
        const error = configError({ [variable]: raw });
        expect(error.problems).toEqual([
          `${variable}="${raw}": expected a whole number from ${min} to ${max}`,
        ]);
      });
    });

    it('rejects a PORT above 65535 naming the variable', () => {
      const error = configError({ PORT: '65536' });
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toContain('PORT');
      expect(error.message).toContain('PORT="65536"');
    });

    it('allows RATE_LIMIT_MAX=0 (rate limiting disabled)', () => {
      expect(loadConfig({ RATE_LIMIT_MAX: '0' }).rateLimitMax).toBe(0);
    });

    it('allows PORT=0 (any free port)', () => {
      expect(loadConfig({ PORT: '0' }).port).toBe(0);
    });

    it('reads WEBHOOK_RETRY_SCHEDULE_SECONDS as waits in milliseconds, fractions allowed', () => {
      expect(
        loadConfig({ WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.3, 5,60' }).webhooks.retryScheduleMs,
      ).toEqual([300, 5000, 60_000]);
    });

    it('rejects a WEBHOOK_RETRY_SCHEDULE_SECONDS that is not a list of seconds, naming it', () => {
      expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE_SECONDS: '10,soon' })).toThrow(
        /WEBHOOK_RETRY_SCHEDULE_SECONDS="10,soon": expected up to 20 comma-separated waits in seconds/,
      );
    });

    it('rejects DB_POOL_SIZE=0', () => {
      expect(configError({ DB_POOL_SIZE: '0' }).problems[0]).toMatch(/^DB_POOL_SIZE="0"/);
    });

    it('rejects RATE_LIMIT_WINDOW_SECONDS=0', () => {
      expect(configError({ RATE_LIMIT_WINDOW_SECONDS: '0' }).problems[0]).toMatch(
        /^RATE_LIMIT_WINDOW_SECONDS="0"/,
      );
    });
  });

  describe('HOST', () => {
    it.each([
      '0.0.0.0',
      '127.0.0.1',
      'localhost',
      'api.example.com',
      '::',
      '::1',
      '[::1]',
      'my-host',
    ])('accepts %s', (host) => {
      expect(loadConfig({ HOST: host }).host).toBe(host);
    });

    it.each(['http://localhost', 'host name', 'host/path', 'host;rm', 'höst'])(
      'rejects %j naming the variable',
      (host) => {
        expect(configError({ HOST: host }).problems).toEqual([
          `HOST="${host}": expected an IP address or host name such as 0.0.0.0`,
        ]);
      },
    );
  });

  describe('DATABASE_URL', () => {
    it.each([
      'postgres://user:password@localhost:5432/handover',
      'postgresql://user@db/handover',
      'postgres://localhost',
    ])('accepts %s', (url) => {
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    });

    it.each([
      'mysql://user@localhost/db',
      'localhost:5432',
      'postgres://',
      'postgres:/x',
      'pg://x',
    ])('rejects %j naming the variable', (url) => {
      const problems = configError({ DATABASE_URL: url }).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^DATABASE_URL: expected a PostgreSQL URL/);
    });

    it('does not repeat the rejected URL (it may hold a password) in the problem', () => {
      const problems = configError({ DATABASE_URL: 'mysql://user:s3cret@localhost/db' }).problems;
      expect(problems.join('\n')).not.toContain('s3cret');
    });
  });

  describe('DATA_DIR', () => {
    it('resolves a relative DATA_DIR against the working directory', () => {
      const dataDir = loadConfig({ DATA_DIR: 'var/handover' }).dataDir;
      expect(isAbsolute(dataDir)).toBe(true);
      expect(dataDir).toBe(resolve(process.cwd(), 'var/handover'));
    });

    it('keeps an absolute DATA_DIR', () => {
      expect(loadConfig({ DATA_DIR: '/srv/handover/data' }).dataDir).toBe(
        resolve('/srv/handover/data'),
      );
    });

    it('normalises dot segments', () => {
      expect(loadConfig({ DATA_DIR: '/srv/x/../data/.' }).dataDir).toBe(resolve('/srv/data'));
    });

    it('defaults to ./data as an absolute path', () => {
      const dataDir = loadConfig({}).dataDir;
      expect(isAbsolute(dataDir)).toBe(true);
      expect(dataDir).toBe(resolve(process.cwd(), 'data'));
    });
  });

  describe('DB_MIGRATE', () => {
    it.each([
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['yes', true],
      ['Yes', true],
      ['false', false],
      ['False', false],
      ['0', false],
      ['no', false],
      ['NO', false],
    ])('reads %j as %s', (raw, expected) => {
      expect(loadConfig({ DB_MIGRATE: raw }).dbMigrate).toBe(expected);
    });

    it.each(['maybe', 'on', 'off', '2', 'y', 'n'])('rejects %j naming the variable', (raw) => {
      expect(configError({ DB_MIGRATE: raw }).problems).toEqual([
        `DB_MIGRATE="${raw}": expected true or false`,
      ]);
    });
  });

  describe('LOG_LEVEL', () => {
    it.each([...LOG_LEVELS])('accepts %s', (level) => {
      expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
    });

    it('accepts a level in any letter case and normalises it to lower case', () => {
      expect(loadConfig({ LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
    });

    it.each(['verbose', 'warning', 'log'])('rejects %j listing the accepted levels', (level) => {
      expect(configError({ LOG_LEVEL: level }).problems).toEqual([
        `LOG_LEVEL="${level}": expected one of fatal, error, warn, info, debug, trace, silent`,
      ]);
    });
  });

  describe('TRUST_PROXY', () => {
    it('reads a comma-separated list of proxy addresses and ranges', () => {
      expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).trustProxy).toEqual([
        'loopback',
        '10.0.0.0/8',
        '::1',
      ]);
    });

    it('rejects an entry that is no address, range or keyword', () => {
      expect(configError({ TRUST_PROXY: 'loopback,proxy.example.com' }).problems).toEqual([
        'TRUST_PROXY="proxy.example.com": expected addresses or CIDR ranges of your proxies, or loopback, linklocal, uniquelocal, separated by commas',
      ]);
    });
  });

  describe('LOG_FORMAT', () => {
    it.each(['auto', 'json', 'pretty', 'PRETTY'])('accepts %s', (format) => {
      expect(loadConfig({ LOG_FORMAT: format }).logFormat).toBe(format.toLowerCase());
    });

    it('rejects an unknown format listing the accepted ones', () => {
      expect(configError({ LOG_FORMAT: 'text' }).problems).toEqual([
        'LOG_FORMAT="text": expected one of auto, json, pretty',
      ]);
    });
  });

  describe('ADMIN_API_KEY', () => {
    it(`accepts a key of exactly ${MIN_ADMIN_API_KEY_LENGTH} characters`, () => {
      expect(loadConfig({ ADMIN_API_KEY: VALID_KEY }).adminApiKey).toBe(VALID_KEY);
    });

    it('accepts every printable ASCII character except space', () => {
      let printable = '';
      for (let code = 0x21; code <= 0x7e; code += 1) printable += String.fromCharCode(code);
      expect(loadConfig({ ADMIN_API_KEY: printable }).adminApiKey).toBe(printable);
    });

    it('trims surrounding whitespace from the key', () => {
      expect(loadConfig({ ADMIN_API_KEY: `  ${VALID_KEY}\n` }).adminApiKey).toBe(VALID_KEY);
    });

    it(`rejects a key shorter than ${MIN_ADMIN_API_KEY_LENGTH} characters naming the variable`, () => {
      expect(configError({ ADMIN_API_KEY: VALID_KEY.slice(1) }).problems).toEqual([
        `ADMIN_API_KEY: expected at least ${MIN_ADMIN_API_KEY_LENGTH} characters (a long random secret)`,
      ]);
    });

    it.each([
      ['an inner space', `${VALID_KEY} ${VALID_KEY}`],
      ['a tab', `${VALID_KEY}\t${VALID_KEY}`],
      ['a non-ASCII letter', `${VALID_KEY}é`],
      ['a control character', `${VALID_KEY}\u0001`],
      ['a NUL character', `${VALID_KEY}\u0000`],
    ])('rejects a key with %s naming the variable', (_label, key) => {
      expect(configError({ ADMIN_API_KEY: key }).problems).toEqual([
        'ADMIN_API_KEY: expected printable ASCII characters without spaces',
      ]);
    });

    it('reports only the character problem for a short key with a bad character', () => {
      expect(configError({ ADMIN_API_KEY: 'short key' }).problems).toEqual([
        'ADMIN_API_KEY: expected printable ASCII characters without spaces',
      ]);
    });

    it('does not repeat the rejected key in the problem', () => {
      const error = configError({ ADMIN_API_KEY: 'tooShortSecretValue' });
      expect(error.message).not.toContain('tooShortSecretValue');
    });
  });

  describe('reporting', () => {
    it('reports every problem at once in one ConfigError', () => {
      const error = configError({
        PORT: '70000',
        HOST: 'bad host',
        DATABASE_URL: 'mysql://x',
        DB_POOL_SIZE: '0',
        DB_MIGRATE: 'perhaps',
        DB_STATEMENT_TIMEOUT_MS: '-5',
        ADMIN_API_KEY: 'short',
        LOG_LEVEL: 'loud',
        RATE_LIMIT_MAX: 'many',
        RATE_LIMIT_WINDOW_SECONDS: '0',
        BODY_LIMIT_BYTES: '10',
        SHUTDOWN_TIMEOUT_MS: '1.5',
      });
      const variables = [
        'PORT',
        'HOST',
        'DATABASE_URL',
        'DB_POOL_SIZE',
        'DB_MIGRATE',
        'DB_STATEMENT_TIMEOUT_MS',
        'ADMIN_API_KEY',
        'LOG_LEVEL',
        'RATE_LIMIT_MAX',
        'RATE_LIMIT_WINDOW_SECONDS',
        'BODY_LIMIT_BYTES',
        'SHUTDOWN_TIMEOUT_MS',
      ];
      expect(error.problems).toHaveLength(variables.length);
      for (const variable of variables) {
        expect(
          error.problems.some((p) => p.startsWith(`${variable}=`) || p.startsWith(`${variable}:`)),
        ).toBe(true);
      }
    });

    it('names the error ConfigError and lists each problem on its own line', () => {
      const error = configError({ PORT: 'x', LOG_LEVEL: 'y' });
      expect(error.name).toBe('ConfigError');
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toBe(
        'Invalid configuration:\n' +
          '  - LOG_LEVEL="y": expected one of fatal, error, warn, info, debug, trace, silent\n' +
          '  - PORT="x": expected a whole number from 0 to 65535',
      );
    });

    it('ignores variables it does not know', () => {
      expect(loadConfig({ UNRELATED: 'whatever', PORT: '4000' }).port).toBe(4000);
    });
  });
});

describe('loadConfig risk thresholds', () => {
  it('defaults to 30 days, 2 slips, a 30-day KT window, 50 % accepted, 180 days of operator evidence and upskilling off', () => {
    expect(loadConfig({}).risk).toEqual({
      slipDaysHigh: 30,
      slipCountHigh: 2,
      ktWindowDays: 30,
      ktMinAccepted: 0.5,
      operatorEvidenceDays: 180,
      upskillingWindowDays: null,
    });
  });

  it('treats empty values as unset', () => {
    const env: Env = {
      RISK_SLIP_DAYS_HIGH: '',
      RISK_SLIP_COUNT_HIGH: ' ',
      RISK_KT_WINDOW_DAYS: '\t',
      RISK_KT_MIN_ACCEPTED: '',
      RISK_UPSKILLING_WINDOW_DAYS: ' ',
    };
    expect(loadConfig(env).risk).toEqual(loadConfig({}).risk);
  });

  it('reads all six together, trimming whitespace', () => {
    const env: Env = {
      RISK_SLIP_DAYS_HIGH: ' 10 ',
      RISK_SLIP_COUNT_HIGH: '3',
      RISK_KT_WINDOW_DAYS: '7',
      RISK_KT_MIN_ACCEPTED: ' 0.8 ',
      OPERATOR_EVIDENCE_DAYS: ' 90 ',
      RISK_UPSKILLING_WINDOW_DAYS: ' 21 ',
    };
    expect(loadConfig(env).risk).toEqual({
      slipDaysHigh: 10,
      slipCountHigh: 3,
      ktWindowDays: 7,
      ktMinAccepted: 0.8,
      operatorEvidenceDays: 90,
      upskillingWindowDays: 21,
    });
  });

  const integers: [variable: string, key: string, min: number, max: number][] = [
    ['RISK_SLIP_DAYS_HIGH', 'slipDaysHigh', 1, 3650],
    ['RISK_SLIP_COUNT_HIGH', 'slipCountHigh', 1, 100],
    ['RISK_KT_WINDOW_DAYS', 'ktWindowDays', 0, 3650],
    ['OPERATOR_EVIDENCE_DAYS', 'operatorEvidenceDays', 1, 3650],
  ];

  describe.each(integers)('%s', (variable, key, min, max) => {
    it.each([min, max, Math.floor((min + max) / 2)])('accepts %d', (value) => {
      expect(loadConfig({ [variable]: String(value) }).risk).toMatchObject({ [key]: value });
    });

    it.each([
      ['below the minimum', String(min - 1)],
      ['above the maximum', String(max + 1)],
      ['negative', '-1'],
      ['fractional', '1.5'],
      ['not a number', 'abc'],
      ['with a unit', '30d'],
      ['in exponent notation', '1e1'],
    ])('rejects a value %s naming the variable and the range', (_label, raw) => {
      expect(configError({ [variable]: raw }).problems).toEqual([
        `${variable}="${raw}": expected a whole number from ${min} to ${max}`,
      ]);
    });
  });

  it('rejects RISK_SLIP_DAYS_HIGH=0 and RISK_SLIP_COUNT_HIGH=0 but allows RISK_KT_WINDOW_DAYS=0', () => {
    expect(configError({ RISK_SLIP_DAYS_HIGH: '0' }).problems[0]).toMatch(
      /^RISK_SLIP_DAYS_HIGH="0"/,
    );
    expect(configError({ RISK_SLIP_COUNT_HIGH: '0' }).problems[0]).toMatch(
      /^RISK_SLIP_COUNT_HIGH="0"/,
    );
    expect(loadConfig({ RISK_KT_WINDOW_DAYS: '0' }).risk.ktWindowDays).toBe(0);
  });

  describe('RISK_KT_MIN_ACCEPTED', () => {
    it.each([
      ['0', 0],
      ['1', 1],
      ['0.5', 0.5],
      ['0.8', 0.8],
      ['0.75', 0.75],
      ['0.05', 0.05],
      ['1.0', 1],
      ['1.00', 1],
      ['0.0', 0],
    ])('reads %j as %d', (raw, expected) => {
      expect(loadConfig({ RISK_KT_MIN_ACCEPTED: raw }).risk.ktMinAccepted).toBe(expected);
    });

    it.each([
      ['above 1', '1.5'],
      ['just above 1', '1.01'],
      ['negative', '-0.1'],
      ['a percentage', '50%'],
      ['a whole percentage', '50'],
      ['without a leading zero', '.5'],
      ['with a trailing dot', '0.'],
      ['with a decimal comma', '0,5'],
      ['not a number', 'half'],
      ['in exponent notation', '5e-1'],
      ['two', '2'],
    ])('rejects a value %s naming the variable', (_label, raw) => {
      expect(configError({ RISK_KT_MIN_ACCEPTED: raw }).problems).toEqual([
        `RISK_KT_MIN_ACCEPTED="${raw}": expected a fraction from 0 to 1, such as 0.5`,
      ]);
    });
  });

  it('reports every invalid risk threshold at once', () => {
    const error = configError({
      RISK_SLIP_DAYS_HIGH: '0',
      RISK_SLIP_COUNT_HIGH: 'two',
      RISK_KT_WINDOW_DAYS: '-3',
      RISK_KT_MIN_ACCEPTED: '80%',
      RISK_UPSKILLING_WINDOW_DAYS: 'soon',
    });
    expect(error.problems).toEqual([
      'RISK_SLIP_DAYS_HIGH="0": expected a whole number from 1 to 3650',
      'RISK_SLIP_COUNT_HIGH="two": expected a whole number from 1 to 100',
      'RISK_KT_WINDOW_DAYS="-3": expected a whole number from 0 to 3650',
      'RISK_KT_MIN_ACCEPTED="80%": expected a fraction from 0 to 1, such as 0.5',
      'RISK_UPSKILLING_WINDOW_DAYS="soon": expected a whole number from 0 to 3650',
    ]);
  });

  describe('RISK_UPSKILLING_WINDOW_DAYS (RECIPIENT_NOT_UPSKILLED)', () => {
    it.each<[string, Env]>([
      ['unset', {}],
      ['empty', { RISK_UPSKILLING_WINDOW_DAYS: '' }],
      ['whitespace only', { RISK_UPSKILLING_WINDOW_DAYS: ' \t ' }],
    ])('is off (null) when %s', (_label, env) => {
      expect(loadConfig(env).risk.upskillingWindowDays).toBeNull();
    });

    it.each<[string, number]>([
      ['0', 0],
      ['14', 14],
      [' 14 ', 14],
      ['1825', 1825],
      ['3650', 3650],
    ])('reads %j as %d', (raw, expected) => {
      expect(loadConfig({ RISK_UPSKILLING_WINDOW_DAYS: raw }).risk.upskillingWindowDays).toBe(
        expected,
      );
    });

    it.each([
      ['above the maximum', '3651'],
      ['negative', '-1'],
      ['fractional', '1.5'],
      ['not a number', 'off'],
      ['a word for null', 'null'],
      ['with a unit', '14d'],
      ['in exponent notation', '1e1'],
      ['absurdly large', '9'.repeat(30)],
    ])('rejects a value %s naming the variable and the range', (_label, raw) => {
      expect(configError({ RISK_UPSKILLING_WINDOW_DAYS: raw }).problems).toEqual([
        `RISK_UPSKILLING_WINDOW_DAYS="${raw}": expected a whole number from 0 to 3650`,
      ]);
    });
  });
});

describe('loadConfig sprint length', () => {
  it('defaults to 28 to 56 days', () => {
    expect(loadConfig({}).sprintLength).toEqual({ minDays: 28, maxDays: 56 });
  });

  it('treats empty values as unset and trims whitespace', () => {
    expect(loadConfig({ SPRINT_MIN_DAYS: '', SPRINT_MAX_DAYS: ' ' }).sprintLength).toEqual({
      minDays: 28,
      maxDays: 56,
    });
    expect(loadConfig({ SPRINT_MIN_DAYS: ' 14 ', SPRINT_MAX_DAYS: ' 21 ' }).sprintLength).toEqual({
      minDays: 14,
      maxDays: 21,
    });
  });

  it.each<[Env, { minDays: number; maxDays: number }]>([
    [
      { SPRINT_MIN_DAYS: '1', SPRINT_MAX_DAYS: '1' },
      { minDays: 1, maxDays: 1 },
    ],
    [{ SPRINT_MIN_DAYS: '1' }, { minDays: 1, maxDays: 56 }],
    [{ SPRINT_MIN_DAYS: '56' }, { minDays: 56, maxDays: 56 }],
    [{ SPRINT_MAX_DAYS: '28' }, { minDays: 28, maxDays: 28 }],
    [{ SPRINT_MAX_DAYS: '365' }, { minDays: 28, maxDays: 365 }],
    [
      { SPRINT_MIN_DAYS: '365', SPRINT_MAX_DAYS: '365' },
      { minDays: 365, maxDays: 365 },
    ],
    [
      { SPRINT_MIN_DAYS: '7', SPRINT_MAX_DAYS: '90' },
      { minDays: 7, maxDays: 90 },
    ],
  ])('reads %j as %j', (env, expected) => {
    expect(loadConfig(env).sprintLength).toEqual(expected);
  });

  describe.each(['SPRINT_MIN_DAYS', 'SPRINT_MAX_DAYS'])('%s', (variable) => {
    it.each([
      ['zero', '0'],
      ['above the maximum', '366'],
      ['negative', '-1'],
      ['fractional', '28.5'],
      ['not a number', 'four weeks'],
      ['with a unit', '28d'],
      ['in exponent notation', '1e1'],
    ])('rejects a value %s naming the variable and the range', (_label, raw) => {
      // Both bounds set, so that only the bad value is reported (no min > max problem).
      const other = variable === 'SPRINT_MIN_DAYS' ? 'SPRINT_MAX_DAYS' : 'SPRINT_MIN_DAYS';
      const env = { [other]: variable === 'SPRINT_MIN_DAYS' ? '365' : '1', [variable]: raw };
      expect(configError(env).problems).toEqual([
        `${variable}="${raw}": expected a whole number from 1 to 365`,
      ]);
    });
  });

  it.each<[Env, number, number]>([
    [{ SPRINT_MIN_DAYS: '57' }, 57, 56],
    [{ SPRINT_MAX_DAYS: '27' }, 28, 27],
    [{ SPRINT_MIN_DAYS: '30', SPRINT_MAX_DAYS: '29' }, 30, 29],
    [{ SPRINT_MIN_DAYS: '365', SPRINT_MAX_DAYS: '1' }, 365, 1],
  ])('rejects %j (min above max), naming both variables', (env, min, max) => {
    const problems = configError(env).problems;
    expect(problems).toEqual([`SPRINT_MIN_DAYS=${min} is above SPRINT_MAX_DAYS=${max}`]);
    expect(problems[0]).toContain('SPRINT_MIN_DAYS');
    expect(problems[0]).toContain('SPRINT_MAX_DAYS');
  });

  it('does not compare a rejected SPRINT_MIN_DAYS with SPRINT_MAX_DAYS: its fallback is no value anybody set', () => {
    expect(configError({ SPRINT_MIN_DAYS: 'abc', SPRINT_MAX_DAYS: '20' }).problems).toEqual([
      'SPRINT_MIN_DAYS="abc": expected a whole number from 1 to 365',
    ]);
  });
});
