import { isIP } from 'node:net';

/** Which destinations a deployment lets webhooks reach (SPEC §6 "url"). */
export interface AddressPolicy {
  allowHttp: boolean;
  allowLoopback: boolean;
  denyPrivate: boolean;
}

type Range = [first: bigint, bits: number, prefix: number, kind: AddressKind];
type AddressKind = 'unspecified' | 'link-local' | 'loopback' | 'private' | 'reserved';

const v4 = (text: string, prefix: number, kind: AddressKind): Range => [
  ipv4ToBigInt(text),
  32,
  prefix,
  kind,
];
const v6 = (text: string, prefix: number, kind: AddressKind): Range => [
  ipv6ToBigInt(text),
  128,
  prefix,
  kind,
];

/** Address classes by range; the most specific range is listed first where they nest. */
const RANGES: Range[] = [
  v4('0.0.0.0', 8, 'unspecified'),
  v4('169.254.0.0', 16, 'link-local'),
  v4('127.0.0.0', 8, 'loopback'),
  v4('10.0.0.0', 8, 'private'),
  v4('172.16.0.0', 12, 'private'),
  v4('192.168.0.0', 16, 'private'),
  v4('100.64.0.0', 10, 'private'),
  v4('224.0.0.0', 4, 'reserved'),
  v4('240.0.0.0', 4, 'reserved'),
  v6('::', 128, 'unspecified'),
  v6('::1', 128, 'loopback'),
  v6('fe80::', 10, 'link-local'),
  v6('fc00::', 7, 'private'),
  v6('ff00::', 8, 'reserved'),
];

const IPV4_MAPPED = ipv6ToBigInt('::ffff:0.0.0.0');
const IPV4_MAPPED_MASK = ~((1n << 32n) - 1n) & ((1n << 128n) - 1n);

function ipv4ToBigInt(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(text: string): bigint {
  let address = text.toLowerCase();
  // A trailing dotted IPv4 part (::ffff:127.0.0.1) is two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    const value = ipv4ToBigInt(dotted[1]);
    address = `${address.slice(0, -dotted[1].length)}${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`;
  }
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? headGroups
      : [
          ...headGroups,
          ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
          ...tailGroups,
        ];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** What kind of address this is: undefined for an ordinary public unicast address. */
export function addressKind(ip: string): AddressKind | undefined {
  const family = isIP(ip);
  if (family === 0) return undefined;
  let bits = family === 4 ? 32 : 128;
  let value = family === 4 ? ipv4ToBigInt(ip) : ipv6ToBigInt(ip.replace(/%.*$/, ''));
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address in another spelling.
  if (bits === 128 && (value & IPV4_MAPPED_MASK) === IPV4_MAPPED) {
    bits = 32;
    value &= (1n << 32n) - 1n;
  }
  for (const [first, rangeBits, prefix, kind] of RANGES) {
    if (rangeBits !== bits) continue;
    const shift = BigInt(bits - prefix);
    if (value >> shift === first >> shift) return kind;
  }
  return undefined;
}

/** Why a delivery may not go to this resolved address, or undefined when it may. */
export function forbiddenAddress(ip: string, policy: AddressPolicy): string | undefined {
  const kind = addressKind(ip);
  switch (kind) {
    case 'unspecified':
      return `${ip} is an unspecified address`;
    case 'link-local':
      return `${ip} is link-local (cloud metadata lives there)`;
    case 'reserved':
      return `${ip} is a multicast or reserved address`;
    case 'loopback':
      return policy.allowLoopback
        ? undefined
        : `${ip} is a loopback address (set WEBHOOK_ALLOW_LOOPBACK=true to allow it)`;
    case 'private':
      return policy.denyPrivate
        ? `${ip} is a private address and WEBHOOK_DENY_PRIVATE=true`
        : undefined;
    default:
      return undefined;
  }
}

/** The host of a parsed URL as an IP address, or undefined when it is a name. */
export function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) === 0 ? undefined : host;
}

const isLocalhostName = (host: string) => /(^|\.)localhost\.?$/i.test(host);

/**
 * Why a webhook URL is not acceptable, judged on its text alone (SPEC §6): absolute https (or
 * http when allowed), no credentials, and no address or name that the rules forbid. The URL
 * parser has already turned decimal, hex and octal IPv4 spellings into dotted form.
 */
export function urlProblem(raw: string, policy: AddressPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL such as https://hooks.example.com/handover';
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    return policy.allowHttp
      ? 'must be an http or https URL'
      : 'must be an https URL (http only when WEBHOOK_ALLOW_HTTP=true)';
  }
  if (url.username || url.password) return 'must not contain credentials';
  const address = literalAddress(url);
  if (address) return forbiddenAddress(address, policy);
  if (isLocalhostName(url.hostname) && !policy.allowLoopback) {
    return `${url.hostname} is a loopback name (set WEBHOOK_ALLOW_LOOPBACK=true to allow it)`;
  }
  return undefined;
}
