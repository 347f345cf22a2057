// HTTP GET for feeds, hardened against SSRF and hostile servers. Every address a request could
// reach is checked before a socket opens: IP literals in the URL and in each redirect hop, IP
// literals handed to the connector, and every A/AAAA record of a name. Bodies are capped on the
// decoded byte count and every request has an overall deadline. Nothing is logged here; errors
// carry a redacted URL (origin + path, never the query string) for the caller to log.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch, type Response } from 'undici';
import ipaddr from 'ipaddr.js';
import { RateLimitedError, WirewatchError } from '../../errors.js';

/** How far and how long a fetch may go. */
export interface FetchPolicy {
  /** CIDR ranges (WIREWATCH_FETCH_ALLOW) that may be fetched even though they are not public, e.g. `['127.0.0.1/32']`. */
  allowCidrs: readonly string[];
  /** Overall deadline per fetch, redirects and body included, in ms. */
  timeoutMs: number;
  /** Cap on the decoded (decompressed) body, in bytes. */
  maxBytes: number;
  /** How many redirects one fetch follows before it gives up. */
  maxRedirects: number;
  /** Sent as `User-Agent`. */
  userAgent: string;
}

/** Defaults: nothing private allowed, 15 s, 5 MiB, 5 redirects. */
export const DEFAULT_FETCH_POLICY = {
  allowCidrs: [],
  timeoutMs: 15_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'wirewatch/0.1 (+https://github.com/wirewatch/wirewatch)',
} as const satisfies FetchPolicy;

/** Validators remembered from the previous fetch, sent as If-None-Match / If-Modified-Since. */
export interface ConditionalHeaders {
  etag?: string | undefined;
  lastModified?: string | undefined;
}

/** The outcome of a successful fetch; failures are thrown as `WirewatchError`. */
export type FetchResponse =
  | { status: 'not-modified'; url: string }
  | {
      status: 'ok';
      /** The final URL after redirects: the base for relative links. */
      url: string;
      /** The body with Content-Encoding removed; the charset is NOT decoded. */
      body: Uint8Array;
      contentType: string | undefined;
      etag: string | undefined;
      lastModified: string | undefined;
    };

/** Fetches URLs under one policy, reusing connections between fetches. */
export interface SafeFetcher {
  /** GETs `url`, following redirects; throws `WirewatchError` (`fetch_refused`, `fetch_failed`, `fetch_too_large`, `fetch_timeout`, `http_status`) or `RateLimitedError`. */
  fetch(url: string, conditional?: ConditionalHeaders): Promise<FetchResponse>;
  /** Closes pooled connections; the fetcher must not be used afterwards. */
  close(): Promise<void>;
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

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

/** Why an address may not be connected to; thrown from inside the connector, mapped to `fetch_refused`. */
class AddressRefusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AddressRefusal';
  }
}

const ALLOW_HINT = ' (add it to WIREWATCH_FETCH_ALLOW to allow it)';

/** Undefined when `address` may be connected to, else the address in normal form and what it is ("a loopback address"). */
function refusalFor(address: string, allow: readonly Cidr[]): { address: string; what: string } | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address); // un-maps ::ffff:a.b.c.d
  } catch {
    return { address, what: 'not a valid IP address' };
  }
  if (allow.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits))) return undefined;
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  return { address: parsed.toString(), what: `${RANGE_WORDS[range] ?? `a non-public (${range})`} address` };
}

/** The URL for messages: scheme, host and path, without credentials or query string. */
function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Parses `Retry-After` (delta-seconds or HTTP date) into ms; 60 s when absent or unreadable. */
function retryAfterMs(header: string | null, now: number): number {
  const fallback = 60_000;
  if (header === null) return fallback;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - now) : fallback;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Walks an error's `cause` chain. */
function* causes(err: unknown): Generator<unknown> {
  let current = err;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    yield current;
    current = current instanceof Error ? current.cause : undefined;
  }
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/** Creates a fetcher with its own connection pool; `policy.allowCidrs` must be valid CIDRs. */
export function createSafeFetcher(policy: FetchPolicy): SafeFetcher {
  const parsedAllow = parseCidrList(policy.allowCidrs.join(','));
  if (parsedAllow.errors.length > 0) {
    throw new WirewatchError('config_invalid', `invalid fetch allow-list: ${parsedAllow.errors.join('; ')}`);
  }
  const allow: Cidr[] = parsedAllow.cidrs.map((c) => ipaddr.parseCIDR(c));

  // Checks every record of a name and hands net.connect only the records that passed.
  const checkedLookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { family: options.family ?? 0, hints: options.hints ?? 0, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const passed = addresses.filter((a) => refusalFor(a.address, allow) === undefined);
      const first = passed[0];
      if (first === undefined) {
        const refused = addresses[0] === undefined ? undefined : refusalFor(addresses[0].address, allow);
        const reason = refused === undefined ? `${hostname} has no address` : `${hostname} resolves to ${refused.address}, ${refused.what}${ALLOW_HINT}`;
        callback(new AddressRefusal(reason), '', 0);
        return;
      }
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, passed);
      else callback(null, first.address, first.family);
    });
  };

  const baseConnect = buildConnector({ lookup: checkedLookup, timeout: policy.timeoutMs });
  const agent = new Agent({
    headersTimeout: policy.timeoutMs,
    bodyTimeout: policy.timeoutMs,
    // IP literals never reach the lookup hook: check them here, before any socket exists.
    connect: (options, callback) => {
      if (isIP(options.hostname) !== 0) {
        const refused = refusalFor(options.hostname, allow);
        if (refused !== undefined) {
          callback(new AddressRefusal(`${refused.address} is ${refused.what}${ALLOW_HINT}`), null);
          return;
        }
      }
      baseConnect(options, callback);
    },
  });

  /** Refuses a URL by scheme or by IP literal, before anything is sent. */
  function checkUrl(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new WirewatchError('fetch_refused', `refused ${redact(url)}: only http and https URLs are fetched`);
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host) !== 0) {
      const refused = refusalFor(host, allow);
      if (refused !== undefined) throw new WirewatchError('fetch_refused', `refused ${redact(url)}: ${refused.address} is ${refused.what}${ALLOW_HINT}`);
    }
  }

  /** Maps whatever undici threw into one of our typed errors. */
  function classify(err: unknown, url: URL, signal: AbortSignal): WirewatchError {
    if (err instanceof WirewatchError) return err;
    for (const cause of causes(err)) {
      if (cause instanceof AddressRefusal) return new WirewatchError('fetch_refused', `refused ${redact(url)}: ${cause.reason}`);
    }
    const timedOut =
      signal.aborted || [...causes(err)].some((c) => (c instanceof Error && c.name === 'TimeoutError') || TIMEOUT_CODES.has(errorCode(c) ?? ''));
    if (timedOut) {
      return new WirewatchError('fetch_timeout', `timed out after ${policy.timeoutMs} ms fetching ${redact(url)}`, { cause: err });
    }
    const inner = [...causes(err)].at(-1);
    const detail = errorCode(inner) ?? (inner instanceof Error ? inner.message : String(inner));
    return new WirewatchError('fetch_failed', `could not fetch ${redact(url)}: ${detail}`, { cause: err });
  }

  /** Reads the body, counting decoded bytes and cancelling past the cap. */
  async function readCapped(response: Response, url: URL): Promise<Uint8Array> {
    const tooLarge = () => new WirewatchError('fetch_too_large', `body of ${redact(url)} is larger than ${policy.maxBytes} bytes`);
    const declared = Number(response.headers.get('content-length'));
    if (!response.headers.has('content-encoding') && Number.isFinite(declared) && declared > policy.maxBytes) {
      await response.body?.cancel();
      throw tooLarge();
    }
    if (response.body === null) return new Uint8Array(0);
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > policy.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    const body = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return body;
  }

  async function fetchOnce(rawUrl: string, conditional: ConditionalHeaders): Promise<FetchResponse> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new WirewatchError('fetch_refused', 'refused: not a valid URL');
    }
    const signal = AbortSignal.timeout(policy.timeoutMs);
    const headers: Record<string, string> = {
      'user-agent': policy.userAgent,
      accept: 'application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
      'accept-encoding': 'gzip, deflate, br',
    };
    if (conditional.etag !== undefined) headers['if-none-match'] = conditional.etag;
    if (conditional.lastModified !== undefined) headers['if-modified-since'] = conditional.lastModified;

    for (let hop = 0; ; hop++) {
      checkUrl(url);
      try {
        const response = await fetch(url, { headers, redirect: 'manual', signal, dispatcher: agent });
        const status = response.status;
        if (REDIRECT_STATUSES.has(status)) {
          await response.body?.cancel();
          const location = response.headers.get('location');
          if (location === null) throw new WirewatchError('http_status', `HTTP ${status} without Location from ${redact(url)}`);
          if (hop >= policy.maxRedirects) {
            throw new WirewatchError('fetch_failed', `too many redirects (more than ${policy.maxRedirects}) fetching ${redact(url)}`);
          }
          try {
            url = new URL(location, url);
          } catch {
            throw new WirewatchError('fetch_failed', `invalid redirect Location from ${redact(url)}`);
          }
          continue;
        }
        if (status === 304) {
          await response.body?.cancel();
          return { status: 'not-modified', url: url.href };
        }
        if (status === 429) {
          await response.body?.cancel();
          throw new RateLimitedError(`HTTP 429 from ${redact(url)}`, retryAfterMs(response.headers.get('retry-after'), Date.now()));
        }
        if (status < 200 || status > 299) {
          await response.body?.cancel();
          throw new WirewatchError('http_status', `HTTP ${status} from ${redact(url)}`);
        }
        const body = await readCapped(response, url);
        return {
          status: 'ok',
          url: url.href,
          body,
          contentType: response.headers.get('content-type') ?? undefined,
          etag: response.headers.get('etag') ?? undefined,
          lastModified: response.headers.get('last-modified') ?? undefined,
        };
      } catch (err) {
        throw classify(err, url, signal);
      }
    }
  }

  return {
    fetch: (url, conditional = {}) => fetchOnce(url, conditional),
    close: () => agent.close(),
  };
}
