// HTTP GET for feeds, hardened against SSRF and hostile servers, and polite to the hosts it polls.
// Every address a request could reach is checked before a socket opens: IP literals in the URL
// and in each redirect hop, IP literals handed to the connector, and every A/AAAA record of a name
// (one bad record refuses the name; the socket connects to exactly the records that were checked).
// Bodies are capped on the decoded byte count (and on the bytes as sent); headers, body and the
// whole fetch have deadlines. Requests go straight to undici's dispatcher (no WHATWG fetch layer:
// most polls are a 304, and its Request/stream objects cost more than the rest of the poll), so
// this module sends Accept-Encoding and undoes Content-Encoding itself (content-coding.ts).
// Each host (URL hostname) gets its own queue: `perHostConcurrency` requests at once, starts
// `perHostSpacingMs` apart. A Retry-After (429, or 503 with the header) holds the host: later
// fetches to it wait until then when the wait fits in `timeoutMs`, else fail at once, without
// contacting the host, with the same kind of error carrying the remaining wait (so the scheduler
// is never clogged by fetches parked for minutes). Nothing is logged here; errors carry a
// redacted URL (origin + path, never the query string) for the caller to log.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import ipaddr from 'ipaddr.js';
import { RateLimitedError, WirewatchError } from '../../errors.js';
import { ALLOW_HINT, AddressRefusal, parseCidrList, refusalFor, type Cidr } from './address-policy.js';
import { BodyTooLarge, createBodyCollector, MAX_CODINGS, planDecoding, type BodyCollector } from './content-coding.js';
import { createHostGate } from './host-gate.js';
import { HttpStatusError, parseRetryAfter } from './http-errors.js';
import { contactProblem, userAgentFor } from './user-agent.js';

export { parseCidrList } from './address-policy.js';

/**
 * A `dns.lookup`-compatible resolver, always called with `all: true`. The real `dns.lookup` is
 * one; tests pass a fake to make a name resolve to chosen addresses.
 */
export type LookupAll = (
  hostname: string,
  options: { all: true; family?: number | 'IPv4' | 'IPv6'; hints?: number },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** How far, how long and how often a fetch may go. */
export interface FetchPolicy {
  /** CIDR ranges (WIREWATCH_FETCH_ALLOW) that may be fetched even though they are not public, e.g. `['127.0.0.1/32']`. */
  allowCidrs: readonly string[];
  /**
   * Overall deadline per fetch, in ms: redirects, headers and body included. It starts when the
   * first request starts, not while the fetch waits for its host's turn.
   */
  timeoutMs: number;
  /** Longest wait for the response headers of one request, in ms. */
  headersTimeoutMs: number;
  /** Longest silence between two chunks of a body, in ms (a slow drip under it is ended by `timeoutMs`). */
  bodyTimeoutMs: number;
  /** Cap on the decoded (decompressed) body, in bytes; the body as sent is held to it too. */
  maxBytes: number;
  /** How many redirects one fetch follows before it gives up. */
  maxRedirects: number;
  /** Who runs this instance (WIREWATCH_CONTACT: an email or URL), sent in the User-Agent; undefined for none. */
  contact: string | undefined;
  /** Requests in flight to one host (hostname) at once. */
  perHostConcurrency: number;
  /** Minimum time between the starts of two requests to one host, in ms. */
  perHostSpacingMs: number;
  /** Cap on a server's Retry-After, in ms: neither the remembered "not before" nor `retryAfterMs` in errors goes further. */
  maxRetryAfterMs: number;
  /** Resolver for host names; `dns.lookup` when absent. A test seam. */
  lookup?: LookupAll;
}

/**
 * Defaults: nothing private allowed; 15 s overall, 10 s for headers, 10 s of body silence; 5 MiB;
 * 5 redirects; no contact; 2 requests at once and 1 s between starts per host; Retry-After capped
 * at 10 min.
 */
export const DEFAULT_FETCH_POLICY = {
  allowCidrs: [],
  timeoutMs: 15_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  contact: undefined,
  perHostConcurrency: 2,
  perHostSpacingMs: 1000,
  maxRetryAfterMs: 10 * 60_000,
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

/** Fetches URLs under one policy, reusing connections and per-host queues between fetches. */
export interface SafeFetcher {
  /**
   * GETs `url`, following redirects, after waiting for the host's turn. Throws `WirewatchError`
   * (`fetch_refused`, `fetch_failed`, `fetch_too_large`, `fetch_timeout`), `HttpStatusError`
   * (`http_status`; `retryAfterMs` on a 503 that said when) or `RateLimitedError` (429, or the host
   * still asked us to wait longer than `timeoutMs`). Read the wait with `retryAfterOf`.
   */
  fetch(url: string, conditional?: ConditionalHeaders): Promise<FetchResponse>;
  /** The operator's contact from the policy; kinds whose terms require one (SEC EDGAR) refuse to run without it. */
  readonly contact: string | undefined;
  /** The User-Agent sent with every request. */
  readonly userAgent: string;
  /** Closes pooled connections; the fetcher must not be used afterwards. */
  close(): Promise<void>;
}

/** The URL for messages: scheme, host and path, without credentials or query string. */
function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** When a 429 does not say how long to wait, in ms. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;
const ACCEPT = 'application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';
/** How many IP-literal hosts the fetcher remembers a verdict for. */
const MAX_LITERAL_VERDICTS = 1024;
/** Exactly the codings content-coding.ts can undo. */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/** Response headers as undici hands them over: lower-case names, repeated headers as arrays. */
type ResponseHeaders = Record<string, string | string[] | undefined>;

/** One header's value; a repeated header reads as its values joined by ", " (as WHATWG Headers.get does). */
function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

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

/** What one request (one hop) ended with. */
type HopOutcome = { kind: 'redirect'; location: string; status: number } | { kind: 'done'; response: FetchResponse };

/**
 * The overall deadline of one fetch. Started by its first request (a timer, not an AbortSignal:
 * a signal is made only for a redirect hop that has to wait for its host's turn).
 */
interface Deadline {
  expired: boolean;
  timer: NodeJS.Timeout | undefined;
  /** The request under way, ended when the deadline passes. */
  exchange: Exchange | undefined;
  controller: AbortController | undefined;
}

function startDeadline(ms: number): Deadline {
  const deadline: Deadline = { expired: false, timer: undefined, exchange: undefined, controller: undefined };
  deadline.timer = setTimeout(expire, ms, deadline);
  deadline.timer.unref();
  return deadline;
}

function expire(deadline: Deadline): void {
  deadline.expired = true;
  deadline.exchange?.expire();
  deadline.controller?.abort(new Error('deadline passed'));
}

function deadlineSignal(deadline: Deadline): AbortSignal {
  if (deadline.controller === undefined) {
    deadline.controller = new AbortController();
    if (deadline.expired) deadline.controller.abort(new Error('deadline passed'));
  }
  return deadline.controller.signal;
}

/** What an exchange needs from its fetcher. */
interface ExchangeContext {
  maxBytes: number;
  /** The outcome of an answer that is not a 2xx, from its status and headers alone. */
  judge(url: URL, status: number, headers: ResponseHeaders): HopOutcome | Error;
  tooLarge(url: URL): WirewatchError;
  timedOut(url: URL): WirewatchError;
}

/**
 * One request and its answer, as an undici dispatch handler. Settles once the answer is fully
 * handled (body read and decoded, or the connection given up), so the host's turn covers the
 * whole exchange. A class rather than a handler of closures made afresh for every request: this
 * is most of the fetcher's own work for a 304.
 */
class Exchange implements Dispatcher.DispatchHandler {
  readonly promise: Promise<HopOutcome>;
  readonly #context: ExchangeContext;
  readonly #url: URL;
  readonly #deadline: Deadline;
  #resolve: (outcome: HopOutcome) => void = () => undefined;
  #reject: (err: Error) => void = () => undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #settled = false;
  /** Set from the headers of an answer whose body we do not want. */
  #judged: HopOutcome | Error | undefined;
  #body: BodyCollector | undefined;
  #contentType: string | undefined;
  #etag: string | undefined;
  #lastModified: string | undefined;

  constructor(context: ExchangeContext, url: URL, deadline: Deadline) {
    this.#context = context;
    this.#url = url;
    this.#deadline = deadline;
    this.promise = new Promise<HopOutcome>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    deadline.exchange = this;
  }

  /** The fetch's deadline passed: fail, and drop the connection. */
  expire(): void {
    this.#fail(this.#context.timedOut(this.#url));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // The deadline passed while the request waited for a connection.
    if (this.#settled) controller.abort(new Error('request no longer wanted'));
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: ResponseHeaders): void {
    if (this.#settled || status < 200) return; // 1xx: the real answer follows
    if (status > 299) {
      this.#judged = this.#context.judge(this.#url, status, headers);
      // A body that came with the headers is read to its end (onResponseEnd settles, and the
      // connection is kept for reuse); one still coming after that is not waited for. A 304 has
      // no body, so its end always comes at once.
      if (status !== 304) queueMicrotask(() => this.#dropUnwantedBody());
      return;
    }
    const plan = planDecoding(header(headers, 'content-encoding'));
    if (plan.kind !== 'decode') {
      const problem = plan.kind === 'too-many' ? `${plan.count} content-encodings (at most ${MAX_CODINGS})` : `unsupported content-encoding ${plan.coding}`;
      this.#fail(new WirewatchError('fetch_failed', `could not fetch ${redact(this.#url)}: ${problem}`));
      return;
    }
    const declared = Number(header(headers, 'content-length'));
    if (Number.isFinite(declared) && declared > this.#context.maxBytes) {
      this.#fail(this.#context.tooLarge(this.#url));
      return;
    }
    this.#contentType = header(headers, 'content-type');
    this.#etag = header(headers, 'etag');
    this.#lastModified = header(headers, 'last-modified');
    const body = createBodyCollector(plan.codings, this.#context.maxBytes, (result) => this.#bodyDone(result));
    if (plan.codings.length > 0) body.onDrain = () => controller.resume();
    this.#body = body;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled || this.#body === undefined) return;
    if (!this.#body.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    if (this.#judged !== undefined) this.#settle(this.#judged);
    else this.#body?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#body?.destroy();
    // The status already said how this ends; a body that broke off changes nothing.
    this.#settle(this.#judged ?? err);
  }

  #bodyDone(result: Uint8Array | Error): void {
    if (result instanceof BodyTooLarge) this.#fail(this.#context.tooLarge(this.#url));
    else if (result instanceof Error) this.#fail(result);
    else {
      const response: FetchResponse = { status: 'ok', url: this.#url.href, body: result, contentType: this.#contentType, etag: this.#etag, lastModified: this.#lastModified };
      this.#settle({ kind: 'done', response });
    }
  }

  #dropUnwantedBody(): void {
    if (this.#settled || this.#judged === undefined) return;
    this.#settle(this.#judged);
    this.#stop(new Error('answer body not needed'));
  }

  #settle(result: HopOutcome | Error): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#deadline.exchange === this) this.#deadline.exchange = undefined;
    if (result instanceof Error) this.#reject(result);
    else this.#resolve(result);
  }

  /** Gives up the connection: undici destroys the socket, so a hostile server stops sending. */
  #stop(reason: Error): void {
    this.#body?.destroy();
    if (this.#controller !== undefined && !this.#controller.aborted) this.#controller.abort(reason);
  }

  #fail(err: Error): void {
    this.#settle(err);
    this.#stop(err);
  }
}

function checkPolicy(policy: FetchPolicy): Cidr[] {
  const problems: string[] = [];
  const parsedAllow = parseCidrList(policy.allowCidrs.join(','));
  if (parsedAllow.errors.length > 0) problems.push(`invalid fetch allow-list: ${parsedAllow.errors.join('; ')}`);
  if (policy.contact !== undefined) {
    const problem = contactProblem(policy.contact);
    if (problem !== undefined) problems.push(`invalid contact "${policy.contact}": ${problem}`);
  }
  if (!Number.isInteger(policy.perHostConcurrency) || policy.perHostConcurrency < 1) problems.push('perHostConcurrency must be an integer ≥ 1');
  if (!(policy.perHostSpacingMs >= 0)) problems.push('perHostSpacingMs must be ≥ 0');
  if (problems.length > 0) throw new WirewatchError('config_invalid', problems.join('; '));
  return parsedAllow.cidrs.map((c) => ipaddr.parseCIDR(c));
}

/** A URL to request, with what each request reads of it worked out once. */
interface Target {
  url: URL;
  hostname: string;
  origin: string;
  /** Path and query, as sent. */
  path: string;
  /** Set once `checkUrl` has passed it: the verdict on a URL never changes for a fetcher (its allow-list is fixed). */
  checked: boolean;
}

const targetFor = (url: URL): Target => ({ url, hostname: url.hostname, origin: url.origin, path: `${url.pathname}${url.search}`, checked: false });

/** Parsed URLs a fetcher keeps at most (one per source polled); beyond, it starts again. */
const MAX_PARSED_URLS = 50_000;

/** Creates a fetcher with its own connection pool and host queues; throws `config_invalid` on a bad policy. */
export function createSafeFetcher(policy: FetchPolicy): SafeFetcher {
  const allow = checkPolicy(policy);
  const resolve: LookupAll = policy.lookup ?? dnsLookup;
  const userAgent = userAgentFor(policy.contact);
  const gate = createHostGate({ concurrency: policy.perHostConcurrency, spacingMs: policy.perHostSpacingMs });

  // net.connect calls this once per connection and connects only to what it answers, so the
  // addresses checked here are the addresses connected to: a resolver that answers differently
  // the next time (DNS rebinding) cannot slip a different address in after the check.
  const checkedLookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname, { all: true, family: options.family ?? 0, hints: options.hints ?? 0 }, (err, addresses) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      // One forbidden record refuses the whole name: a name that mixes public and private
      // addresses is either misconfigured or an attack.
      for (const record of addresses) {
        const refused = refusalFor(record.address, allow);
        if (refused !== undefined) {
          callback(new AddressRefusal(`${hostname} resolves to ${refused.address}, ${refused.what}${ALLOW_HINT}`), '', 0);
          return;
        }
      }
      const first = addresses[0];
      if (first === undefined) {
        callback(new AddressRefusal(`${hostname} has no address`), '', 0);
        return;
      }
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, first.address, first.family);
    });
  };

  const baseConnect = buildConnector({ lookup: checkedLookup, timeout: policy.timeoutMs });
  const agent = new Agent({
    headersTimeout: policy.headersTimeoutMs,
    bodyTimeout: policy.bodyTimeoutMs,
    // The gate never has more requests in flight to a host. Without this cap, a request sent just
    // after an answer (the next redirect hop, the next poll) finds the connection not yet handed
    // back (undici does that one event-loop turn later) and opens another one.
    connections: policy.perHostConcurrency,
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

  /** Verdicts on IP-literal hosts already seen ('' = allowed), so a feed at an IP is not re-parsed on every poll. */
  const literalVerdicts = new Map<string, string>();

  /** Refuses a URL by scheme or by IP literal, and fails one with credentials, before anything is sent. */
  function checkUrl(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new WirewatchError('fetch_refused', `refused ${redact(url)}: only http and https URLs are fetched`);
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    let verdict = literalVerdicts.get(host);
    if (verdict === undefined && isIP(host) !== 0) {
      const refused = refusalFor(host, allow);
      verdict = refused === undefined ? '' : `${refused.address} is ${refused.what}${ALLOW_HINT}`;
      if (literalVerdicts.size >= MAX_LITERAL_VERDICTS) literalVerdicts.clear();
      literalVerdicts.set(host, verdict);
    }
    if (verdict !== undefined && verdict !== '') throw new WirewatchError('fetch_refused', `refused ${redact(url)}: ${verdict}`);
    // Never sent as Authorization (a redirect could hand them to another host); said plainly
    // rather than dropped, and never repeated in the message.
    if (url.username !== '' || url.password !== '') throw new WirewatchError('fetch_failed', `could not fetch ${redact(url)}: URLs with credentials are not fetched`);
  }

  /** Maps whatever undici threw into one of our typed errors. */
  function classify(err: unknown, url: URL, deadline: Deadline | undefined): WirewatchError {
    if (err instanceof WirewatchError) return err;
    const chain = [...causes(err)];
    for (const cause of chain) {
      if (cause instanceof AddressRefusal) return new WirewatchError('fetch_refused', `refused ${redact(url)}: ${cause.reason}`);
    }
    const timeout = (message: string) => new WirewatchError('fetch_timeout', message, { cause: err });
    if (deadline?.expired === true) return timeout(`timed out after ${policy.timeoutMs} ms fetching ${redact(url)}`);
    const codes = new Set(chain.map(errorCode));
    if (codes.has('UND_ERR_HEADERS_TIMEOUT')) return timeout(`no response headers from ${redact(url)} within ${policy.headersTimeoutMs} ms`);
    if (codes.has('UND_ERR_BODY_TIMEOUT')) return timeout(`body of ${redact(url)} stalled for more than ${policy.bodyTimeoutMs} ms`);
    if (codes.has('UND_ERR_CONNECT_TIMEOUT')) return timeout(`could not connect to ${redact(url)} within ${policy.timeoutMs} ms`);
    if (chain.some((c) => c instanceof Error && c.name === 'TimeoutError')) return timeout(`timed out after ${policy.timeoutMs} ms fetching ${redact(url)}`);
    const inner = chain.at(-1);
    const detail = errorCode(inner) ?? (inner instanceof Error ? inner.message : String(inner));
    return new WirewatchError('fetch_failed', `could not fetch ${redact(url)}: ${detail}`, { cause: err });
  }

  function tooLarge(url: URL): WirewatchError {
    return new WirewatchError('fetch_too_large', `body of ${redact(url)} is larger than ${policy.maxBytes} bytes`);
  }

  function timedOut(url: URL): WirewatchError {
    return new WirewatchError('fetch_timeout', `timed out after ${policy.timeoutMs} ms fetching ${redact(url)}`);
  }

  /** Remembers a host's Retry-After so later fetches wait for it (or fail fast with the same kind of error). */
  function holdHost(url: URL, waitMs: number, refuse: (remainingMs: number) => Error): void {
    gate.hold(url.hostname, Date.now() + waitMs, refuse);
  }

  /** The outcome of an answer that is not a 2xx, from its status and headers alone (its body is never kept). */
  function judge(url: URL, status: number, headers: ResponseHeaders): HopOutcome | Error {
    if (REDIRECT_STATUSES.has(status)) {
      const location = header(headers, 'location');
      if (location === undefined) return new HttpStatusError(status, `HTTP ${status} without Location from ${redact(url)}`);
      return { kind: 'redirect', location, status };
    }
    if (status === 304) return { kind: 'done', response: { status: 'not-modified', url: url.href } };
    if (status === 429 || status === 503) {
      const asked = parseRetryAfter(header(headers, 'retry-after'), Date.now());
      const host = url.hostname;
      if (status === 429) {
        const waitMs = Math.min(asked ?? DEFAULT_RATE_LIMIT_WAIT_MS, policy.maxRetryAfterMs);
        holdHost(url, waitMs, (remaining) => new RateLimitedError(`${host} answered HTTP 429: not fetching from it for ${Math.ceil(remaining / 1000)} s more`, remaining));
        return new RateLimitedError(`HTTP 429 from ${redact(url)}`, waitMs);
      }
      if (asked !== undefined) {
        const waitMs = Math.min(asked, policy.maxRetryAfterMs);
        holdHost(url, waitMs, (remaining) => new HttpStatusError(503, `${host} answered HTTP 503: not fetching from it for ${Math.ceil(remaining / 1000)} s more`, remaining));
        return new HttpStatusError(503, `HTTP 503 from ${redact(url)}`, waitMs);
      }
      return new HttpStatusError(503, `HTTP 503 from ${redact(url)}`);
    }
    return new HttpStatusError(status, `HTTP ${status} from ${redact(url)}`);
  }

  const exchangeContext: ExchangeContext = { maxBytes: policy.maxBytes, judge, tooLarge, timedOut };

  /** One request inside the host's turn. */
  function requestOnce(target: Target, headers: Record<string, string>, deadline: Deadline): Promise<HopOutcome> {
    if (deadline.expired) return Promise.reject(new Error('deadline passed'));
    const exchange = new Exchange(exchangeContext, target.url, deadline);
    agent.dispatch({ origin: target.origin, path: target.path, method: 'GET', headers }, exchange);
    return exchange.promise;
  }

  /**
   * The URLs asked for, parsed (the URL never modified afterwards; `checked` set once it passed): a
   * source asks for the same URL at every poll, and parsing it again was ~5 % of a 304 poll's CPU
   * (bench/profile.ts same).
   */
  const targets = new Map<string, Target>();

  function targetOf(rawUrl: string): Target {
    let target = targets.get(rawUrl);
    if (target === undefined) {
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        throw new WirewatchError('fetch_refused', 'refused: not a valid URL');
      }
      target = targetFor(url);
      if (targets.size >= MAX_PARSED_URLS) targets.clear();
      targets.set(rawUrl, target);
    }
    return target;
  }

  async function fetchFollowing(rawUrl: string, conditional: ConditionalHeaders): Promise<FetchResponse> {
    let target = targetOf(rawUrl);
    const headers: Record<string, string> = { 'user-agent': userAgent, accept: ACCEPT, 'accept-encoding': ACCEPT_ENCODING };
    if (conditional.etag !== undefined) headers['if-none-match'] = conditional.etag;
    if (conditional.lastModified !== undefined) headers['if-modified-since'] = conditional.lastModified;

    // Started by the first request, so time spent waiting for the host's turn does not count.
    let deadline: Deadline | undefined;
    try {
      for (let hop = 0; ; hop++) {
        if (!target.checked) {
          checkUrl(target.url);
          target.checked = true;
        }
        const hopTarget = target;
        const hopUrl = target.url;
        let outcome: HopOutcome;
        try {
          // Every hop, including a redirect to another host, waits for its own host's turn. Later
          // hops go first among that host's waiting fetches: they already hold a running deadline.
          outcome = await gate.run(
            hopTarget.hostname,
            () => {
              deadline ??= startDeadline(policy.timeoutMs);
              return requestOnce(hopTarget, headers, deadline);
            },
            { priority: hop, signal: deadline === undefined ? undefined : deadlineSignal(deadline), maxHoldWaitMs: policy.timeoutMs },
          );
        } catch (err) {
          throw classify(err, hopUrl, deadline);
        }
        if (outcome.kind === 'done') return outcome.response;
        if (hop >= policy.maxRedirects) {
          throw new WirewatchError('fetch_failed', `too many redirects (more than ${policy.maxRedirects}) fetching ${redact(hopUrl)}`);
        }
        try {
          target = targetFor(new URL(outcome.location, hopUrl));
        } catch {
          throw new WirewatchError('fetch_failed', `invalid redirect Location from ${redact(hopUrl)}`);
        }
      }
    } finally {
      clearTimeout(deadline?.timer);
    }
  }

  return {
    fetch: (url, conditional = {}) => fetchFollowing(url, conditional),
    contact: policy.contact,
    userAgent,
    close: () => agent.close(),
  };
}
