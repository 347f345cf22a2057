// SSRF: every way of writing a non-public address is refused before a socket opens, and a
// loopback "canary" (127.0.0.1, 127.0.0.2 and ::1 on one port) proves nothing reached it. Each
// group has a control that does reach the canary when the address is allowed, so a refusal test
// cannot pass just because the canary was unreachable.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { refusalFor } from '../../../src/sources/http/address-policy.js';
import { fetchErrorCode } from '../../../src/sources/http/error-code.js';
import { cleanupList, serverStarter, failure, fakeLookup, makeFetcher, startCanary, type Canary } from './helpers.js';

let canary: Canary;
beforeAll(async () => {
  canary = await startCanary();
});
afterAll(() => canary.close());
beforeEach(() => {
  canary.hits.length = 0;
});

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const server = serverStarter(cleanups);

const hasIpv6 = () => canary.hosts.includes('::1');

/** Notations of loopback (or of "this host") that the canary listens behind, with the address each means. */
const LOOPBACK_NOTATIONS: [host: string, means: string][] = [
  ['127.0.0.1', '127.0.0.1'],
  ['127.1', '127.0.0.1'],
  ['2130706433', '127.0.0.1'],
  ['0x7f.0.0.1', '127.0.0.1'],
  ['0x7f000001', '127.0.0.1'],
  ['0177.0.0.1', '127.0.0.1'],
  ['017700000001', '127.0.0.1'],
  ['127.0.0.2', '127.0.0.2'],
  ['127.2', '127.0.0.2'],
  ['0.0.0.0', '0.0.0.0'],
  ['0', '0.0.0.0'],
  ['[::ffff:127.0.0.1]', '127.0.0.1'],
  ['[::ffff:7f00:1]', '127.0.0.1'],
  ['[0:0:0:0:0:ffff:127.0.0.2]', '127.0.0.2'],
  ['[::1]', '::1'],
  ['[0:0:0:0:0:0:0:1]', '::1'],
  ['[::]', '::'],
];
const isV6Only = (host: string) => host === '[::1]' || host === '[0:0:0:0:0:0:0:1]' || host === '[::]';

describe('IP literals in every notation', () => {
  it.each(LOOPBACK_NOTATIONS)('refuses http://%s:PORT/ (%s) before connecting: the canary sees nothing', async (host, means) => {
    const err = await failure(makeFetcher(cleanups, { allowCidrs: [] }).fetch(`http://${host}:${canary.port}/feed?secret=1`));
    expect(err.code).toBe('fetch_refused');
    expect(fetchErrorCode(err)).toBe('ssrf_blocked');
    expect(err.message).toContain(`${means} is a`);
    expect(err.message).toContain('(add it to WIREWATCH_FETCH_ALLOW to allow it)');
    expect(err.message).not.toContain('secret');
    expect(canary.hits).toEqual([]);
  });

  it.each(LOOPBACK_NOTATIONS)('control: http://%s:PORT/ does reach the canary once its range is allowed', async (host) => {
    if (isV6Only(host) && !hasIpv6()) return;
    const res = await makeFetcher(cleanups, { allowCidrs: ['0.0.0.0/0', '::/0'] }).fetch(`http://${host}:${canary.port}/feed`);
    expect(res.status).toBe('ok');
    expect(canary.hits).toHaveLength(1);
  });

  it.each([
    ['169.254.169.254', '169.254.169.254 is a link-local address'],
    ['10.0.0.0', '10.0.0.0 is a private address'],
    ['10.1.2.3', '10.1.2.3 is a private address'],
    ['10.255.255.255', '10.255.255.255 is a private address'],
    ['172.16.0.1', '172.16.0.1 is a private address'],
    ['192.168.1.1', '192.168.1.1 is a private address'],
    ['100.64.0.1', '100.64.0.1 is a carrier-grade NAT address'],
    ['100.127.255.254', '100.127.255.254 is a carrier-grade NAT address'],
    ['224.0.0.1', '224.0.0.1 is a multicast address'],
    ['255.255.255.255', '255.255.255.255 is a broadcast address'],
    ['[fd00::1]', 'fd00::1 is a unique-local address'],
    ['[fdff:ffff::1]', 'fdff:ffff::1 is a unique-local address'],
    ['[fe80::1]', 'fe80::1 is a link-local address'],
    ['[ff02::1]', 'ff02::1 is a multicast address'],
    ['[::ffff:169.254.169.254]', '169.254.169.254 is a link-local address'],
    ['[::ffff:10.0.0.1]', '10.0.0.1 is a private address'],
    ['[64:ff9b::7f00:1]', '64:ff9b::7f00:1 is a non-public (rfc6052) address'],
    ['[2002:7f00:1::]', '2002:7f00:1:: is a non-public (6to4) address'],
  ])('refuses http://%s/ before connecting', async (host, reason) => {
    const err = await failure(makeFetcher(cleanups, { allowCidrs: [] }).fetch(`http://${host}/latest/meta-data/?x=1`));
    expect(err.code).toBe('fetch_refused');
    // The URL is shown as WHATWG normalises it ([::ffff:10.0.0.1] becomes [::ffff:a00:1]).
    expect(err.message).toMatch(/^refused http:\/\/\S+\/latest\/meta-data\/: /);
    expect(err.message.endsWith(`: ${reason} (add it to WIREWATCH_FETCH_ALLOW to allow it)`)).toBe(true);
  });

  it('draws range borders where the RFCs do', () => {
    for (const outside of ['9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '172.32.0.0', '169.255.0.1', '93.184.215.14', '2606:4700::1']) {
      expect(refusalFor(outside, []), outside).toBeUndefined();
    }
    for (const inside of ['10.0.0.0', '100.64.0.0', '100.127.255.255', '172.31.255.255', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1']) {
      expect(refusalFor(inside, []), inside).toBeDefined();
    }
  });

  it('opens only what WIREWATCH_FETCH_ALLOW names: 127.0.0.1/32 does not open 127.0.0.2 or ::1', async () => {
    const fetcher = makeFetcher(cleanups, { allowCidrs: ['127.0.0.1/32'] });
    for (const host of ['127.0.0.2', '127.2', '[::ffff:127.0.0.2]', '[::1]']) {
      expect((await failure(fetcher.fetch(`http://${host}:${canary.port}/`))).code).toBe('fetch_refused');
    }
    expect(canary.hits).toEqual([]);
    await fetcher.fetch(`http://127.0.0.1:${canary.port}/`);
    expect(canary.hits).toHaveLength(1);
  });
});

describe('names resolving to non-public addresses (all records checked)', () => {
  it.each([
    [['127.0.0.1'], '127.0.0.1, a loopback address'],
    [['127.0.0.2'], '127.0.0.2, a loopback address'],
    [['10.0.0.1', '127.0.0.1'], '10.0.0.1, a private address'],
    [['93.184.215.14', '127.0.0.1'], '127.0.0.1, a loopback address'],
    [['127.0.0.1', '93.184.215.14'], '127.0.0.1, a loopback address'],
    [['2606:4700::1', '::1'], '::1, a loopback address'],
    [['::ffff:127.0.0.1'], '127.0.0.1, a loopback address'],
    [['93.184.215.14', '169.254.169.254'], '169.254.169.254, a link-local address'],
  ])('refuses a name resolving to %j', async (addresses, reason) => {
    const lookup = fakeLookup({ 'evil.test': addresses });
    const err = await failure(makeFetcher(cleanups, { allowCidrs: [], lookup }).fetch(`http://evil.test:${canary.port}/feed`));
    expect(err.code).toBe('fetch_refused');
    expect(err.message).toBe(`refused http://evil.test:${canary.port}/feed: evil.test resolves to ${reason} (add it to WIREWATCH_FETCH_ALLOW to allow it)`);
    expect(lookup.calls).toEqual(['evil.test']);
    expect(canary.hits).toEqual([]);
  });

  it('refuses a name with one allowed and one forbidden record, even though the allowed one would work', async () => {
    const lookup = fakeLookup({ 'mixed.test': ['127.0.0.1', '127.0.0.2'] });
    const err = await failure(makeFetcher(cleanups, { allowCidrs: ['127.0.0.1/32'], lookup }).fetch(`http://mixed.test:${canary.port}/`));
    expect(err.message).toContain('mixed.test resolves to 127.0.0.2, a loopback address');
    expect(canary.hits).toEqual([]);
  });

  it('refuses localhost through the real resolver', async () => {
    const err = await failure(makeFetcher(cleanups, { allowCidrs: [] }).fetch(`http://localhost:${canary.port}/`));
    expect(err.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(canary.hits).toEqual([]);
  });

  it('connects to the address that was checked: a name for 127.0.0.2 reaches the canary on 127.0.0.2', async () => {
    const lookup = fakeLookup({ 'two.test': ['127.0.0.2'] });
    await makeFetcher(cleanups, { allowCidrs: ['127.0.0.2/32'], lookup }).fetch(`http://two.test:${canary.port}/x`);
    expect(canary.hits).toEqual([`127.0.0.2 two.test:${canary.port} /x`]);
  });

  it('DNS rebinding: the connection uses the answer that was checked, not a second lookup', async () => {
    let n = 0;
    const lookup = fakeLookup({ 'rebind.test': () => (n++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']) });
    const res = await makeFetcher(cleanups, { allowCidrs: ['127.0.0.1/32'], lookup }).fetch(`http://rebind.test:${canary.port}/`);
    expect(res.status).toBe('ok');
    expect(lookup.calls).toEqual(['rebind.test']);
    expect(canary.hits).toEqual([`127.0.0.1 rebind.test:${canary.port} /`]);
  });

  it('DNS rebinding the other way: a refused first answer is not retried into an allowed one', async () => {
    let n = 0;
    const lookup = fakeLookup({ 'rebind.test': () => (n++ === 0 ? ['127.0.0.2'] : ['127.0.0.1']) });
    const err = await failure(makeFetcher(cleanups, { allowCidrs: ['127.0.0.1/32'], lookup }).fetch(`http://rebind.test:${canary.port}/`));
    expect(err.code).toBe('fetch_refused');
    expect(lookup.calls).toEqual(['rebind.test']);
    expect(canary.hits).toEqual([]);
  });

  it('reports a name that does not resolve as fetch_failed, not as a refusal', async () => {
    const err = await failure(makeFetcher(cleanups, { lookup: fakeLookup({}) }).fetch('http://nowhere.test/'));
    expect(err.code).toBe('fetch_failed');
    expect(err.message).toBe('could not fetch http://nowhere.test/: ENOTFOUND');
  });
});

describe('redirects to forbidden addresses', () => {
  const targets = (port: number): [label: string, location: string][] => [
    ['127.0.0.2', `http://127.0.0.2:${port}/next`],
    ['127.2', `http://127.2:${port}/next`],
    ['2130706434', `http://2130706434:${port}/next`],
    ['0x7f.0.0.2', `http://0x7f.0.0.2:${port}/next`],
    ['[::ffff:127.0.0.2]', `http://[::ffff:127.0.0.2]:${port}/next`],
    ['[::1]', `http://[::1]:${port}/next`],
    ['0.0.0.0', `http://0.0.0.0:${port}/next`],
    ['[::]', `http://[::]:${port}/next`],
    ['evil.test (→ 127.0.0.2)', `http://evil.test:${port}/next`],
    ['mixed.test (→ 127.0.0.1 + 127.0.0.2)', `http://mixed.test:${port}/next`],
    ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
    ['file:', 'file:///etc/passwd'],
    ['gopher:', `gopher://127.0.0.1:${port}/_`],
  ];

  it.each(targets(0).map(([label], i) => [label, i] as const))('refuses a redirect from an allowed server to %s', async (_label, index) => {
    const [, location] = targets(canary.port)[index] ?? ['', ''];
    const srv = await server((_req, res) => {
      res.writeHead(302, { location });
      res.end();
    });
    const lookup = fakeLookup({ 'evil.test': ['127.0.0.2'], 'mixed.test': ['127.0.0.1', '127.0.0.2'] });
    const err = await failure(makeFetcher(cleanups, { allowCidrs: ['127.0.0.1/32'], lookup }).fetch(`${srv.origin}/start`));
    expect(err.code).toBe('fetch_refused');
    expect(srv.requests).toHaveLength(1);
    expect(canary.hits).toEqual([]);
  });

  it('refuses a forbidden hop at the end of a chain of allowed ones', async () => {
    const srv = await server((req, res) => {
      res.writeHead(302, { location: req.url === '/a' ? '/b' : req.url === '/b' ? '/c' : `http://127.0.0.2:${canary.port}/` });
      res.end();
    });
    const err = await failure(makeFetcher(cleanups).fetch(`${srv.origin}/a`));
    expect(err.message).toBe(`refused http://127.0.0.2:${canary.port}/: 127.0.0.2 is a loopback address (add it to WIREWATCH_FETCH_ALLOW to allow it)`);
    expect(srv.requests.map((r) => r.url)).toEqual(['/a', '/b', '/c']);
    expect(canary.hits).toEqual([]);
  });

  it('control: the same redirect reaches the canary when 127.0.0.2 is allowed', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.2:${canary.port}/next` });
      res.end();
    });
    const res = await makeFetcher(cleanups, { allowCidrs: ['127.0.0.1/32', '127.0.0.2/32'] }).fetch(`${srv.origin}/start`);
    expect(res).toMatchObject({ status: 'ok', url: `http://127.0.0.2:${canary.port}/next` });
    expect(canary.hits).toHaveLength(1);
  });
});

describe('schemes', () => {
  it.each(['file:///etc/passwd', 'ftp://HOST/feed', 'gopher://HOST/_', 'ws://HOST/', 'wss://HOST/', 'data:text/xml,<rss/>', 'javascript:alert(1)', 'dict://HOST/'])(
    'refuses %s even with loopback allowed',
    async (template) => {
      const url = template.replace('HOST', `127.0.0.1:${canary.port}`);
      const err = await failure(makeFetcher(cleanups, { allowCidrs: ['127.0.0.0/8', '::1/128'] }).fetch(url));
      expect(err.code).toBe('fetch_refused');
      expect(err.message).toMatch(/only http and https URLs are fetched$/);
      expect(canary.hits).toEqual([]);
    },
  );
});
