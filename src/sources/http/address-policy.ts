// Which IP addresses a fetch may connect to: public unicast, plus the ranges an operator opened
// with WIREWATCH_FETCH_ALLOW. Everything else (loopback, private, link-local, CGNAT, ULA,
// unspecified, multicast, reserved …) is refused before a socket exists.
import ipaddr from 'ipaddr.js';

/** A parsed CIDR range: network address and prefix length in bits. */
export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Parses a comma- or space-separated list of CIDR ranges (a bare address means just that address).
 * Returns the ranges in normal form and one message per entry that is not a range, for config
 * validation.
 */
export function parseCidrList(raw: string): { cidrs: string[]; errors: string[] } {
  const cidrs: string[] = [];
  const errors: string[] = [];
  for (const entry of raw.split(/[\s,]+/).filter((e) => e !== '')) {
    try {
      if (entry.includes('/')) {
        const [addr, bits] = ipaddr.parseCIDR(entry);
        cidrs.push(`${addr.toString()}/${bits}`);
      } else {
        const addr = ipaddr.parse(entry);
        cidrs.push(`${addr.toString()}/${addr.kind() === 'ipv4' ? 32 : 128}`);
      }
    } catch {
      errors.push(`"${entry}" is not an IP range (write it as 127.0.0.1/32 or ::1/128)`);
    }
  }
  return { cidrs, errors };
}

/** Article + words for ipaddr.js range names, for refusal messages. */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback',
  private: 'a private',
  linkLocal: 'a link-local',
  carrierGradeNat: 'a carrier-grade NAT',
  uniqueLocal: 'a unique-local',
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  reserved: 'a reserved',
  benchmarking: 'a benchmarking',
};

/** Appended to every refusal so the operator knows the one switch that opens an address. */
export const ALLOW_HINT = ' (add it to WIREWATCH_FETCH_ALLOW to allow it)';

/** Why an address may not be connected to; thrown from inside the connector, mapped to `fetch_refused`. */
export class AddressRefusal extends Error {
  /** The sentence for the user, without the URL. */
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'AddressRefusal';
    this.reason = reason;
  }
}

/**
 * Undefined when `address` may be connected to, else the address in normal form and what it is
 * ("a loopback address"). IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address.
 */
export function refusalFor(address: string, allow: readonly Cidr[]): { address: string; what: string } | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return { address, what: 'not a valid IP address' };
  }
  if (allow.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits))) return undefined;
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  return { address: parsed.toString(), what: `${RANGE_WORDS[range] ?? `a non-public (${range})`} address` };
}
