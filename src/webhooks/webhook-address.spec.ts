import {
  addressKind,
  type AddressPolicy,
  forbiddenAddress,
  urlProblem,
} from './webhook-address.js';

const STRICT: AddressPolicy = { allowHttp: false, allowLoopback: false, denyPrivate: false };
const LOOSE: AddressPolicy = { allowHttp: true, allowLoopback: true, denyPrivate: false };

describe('addressKind', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['224.0.0.1', 'reserved'],
    ['ff02::1', 'reserved'],
  ])('classifies %s as %s', (ip, kind) => {
    expect(addressKind(ip)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.15.255.255', '172.32.0.0', '169.255.0.1', '2001:db8::1', 'fec0::1'])(
    'treats %s as an ordinary address',
    (ip) => {
      expect(addressKind(ip)).toBeUndefined();
    },
  );
});

describe('forbiddenAddress', () => {
  it('refuses loopback unless allowed, and private only when denied', () => {
    expect(forbiddenAddress('127.0.0.1', STRICT)).toMatch(/loopback/);
    expect(forbiddenAddress('127.0.0.1', LOOSE)).toBeUndefined();
    expect(forbiddenAddress('10.0.0.5', STRICT)).toBeUndefined();
    expect(forbiddenAddress('10.0.0.5', { ...STRICT, denyPrivate: true })).toMatch(/private/);
  });

  it('refuses link-local and unspecified addresses whatever the policy', () => {
    expect(forbiddenAddress('169.254.169.254', LOOSE)).toMatch(/link-local/);
    expect(forbiddenAddress('0.0.0.0', LOOSE)).toMatch(/unspecified/);
    expect(forbiddenAddress('::', LOOSE)).toMatch(/unspecified/);
  });
});

describe('urlProblem', () => {
  it('accepts a public https URL', () => {
    expect(urlProblem('https://hooks.example.com/handover?x=1', STRICT)).toBeUndefined();
  });

  it.each([
    ['not a url', /absolute URL/],
    ['ftp://hooks.example.com/', /https/],
    ['file:///etc/passwd', /https/],
    ['javascript:alert(1)', /https/],
    ['http://hooks.example.com/', /WEBHOOK_ALLOW_HTTP/],
    ['https://user:secret@hooks.example.com/', /credentials/],
    ['https://user@hooks.example.com/', /credentials/],
    ['https://169.254.169.254/latest/meta-data', /link-local/],
    ['https://[::1]/', /loopback/],
    ['https://0.0.0.0/', /unspecified/],
    ['https://localhost/', /loopback name/],
    ['https://api.localhost./', /loopback name/],
    ['https://2130706433/', /loopback/],
    ['https://0x7f.1/', /loopback/],
    ['https://[::ffff:127.0.0.1]/', /loopback/],
    ['https://[::ffff:169.254.169.254]/', /link-local/],
    ['https://[fe80::1]/', /link-local/],
  ])('refuses %s', (url, reason) => {
    expect(urlProblem(url, STRICT)).toMatch(reason);
  });

  it('allows http and loopback when the deployment says so, never link-local', () => {
    expect(urlProblem('http://127.0.0.1:4000/hook', LOOSE)).toBeUndefined();
    expect(urlProblem('http://localhost:4000/hook', LOOSE)).toBeUndefined();
    expect(urlProblem('http://169.254.169.254/', LOOSE)).toMatch(/link-local/);
  });
});
