// Content-Encoding, undone by the fetcher itself: every coding we advertise, stacked codings,
// codings we cannot undo, labels that are not codings at all, and hostile bodies (bombs in any
// coding, a compressed body too big as sent, corrupt and truncated streams).
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CODINGS, planDecoding } from '../../../src/sources/http/content-coding.js';
import { fetchErrorCode } from '../../../src/sources/http/error-code.js';
import type { LocalServer } from '../local-server.js';
import { cleanupList, serverStarter, failure, makeFetcher } from './helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const server = serverStarter(cleanups);

/** A server answering every request with `body` under `Content-Encoding: encoding`. */
function encoded(encoding: string, body: Buffer, extra: Record<string, string> = {}): Promise<LocalServer> {
  return server((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': encoding, ...extra });
    res.end(body);
  });
}

const FEED = Buffer.from(`<rss version="2.0"><channel><title>t</title>${'<item><title>x</title></item>'.repeat(200)}</channel></rss>`);

async function fetchText(srv: LocalServer, policy: Parameters<typeof makeFetcher>[1] = {}): Promise<string> {
  const res = await makeFetcher(cleanups, policy).fetch(`${srv.origin}/feed`);
  if (res.status !== 'ok') throw new Error(`expected a body, got ${res.status}`);
  return Buffer.from(res.body).toString('utf8');
}

describe('planDecoding', () => {
  it('undoes codings last-applied first, in any case, and ignores identity', () => {
    expect(planDecoding(undefined)).toEqual({ kind: 'decode', codings: [] });
    expect(planDecoding('')).toEqual({ kind: 'decode', codings: [] });
    expect(planDecoding('gzip')).toEqual({ kind: 'decode', codings: ['gzip'] });
    expect(planDecoding('X-GZIP')).toEqual({ kind: 'decode', codings: ['gzip'] });
    expect(planDecoding('deflate, br')).toEqual({ kind: 'decode', codings: ['br', 'deflate'] });
    expect(planDecoding(' identity , gzip ,')).toEqual({ kind: 'decode', codings: ['gzip'] });
  });

  it('takes labels that name no compression as the body as sent, and refuses compressions it cannot undo', () => {
    expect(planDecoding('utf-8')).toEqual({ kind: 'decode', codings: [] });
    expect(planDecoding('gzip, text')).toEqual({ kind: 'decode', codings: ['gzip'] });
    expect(planDecoding('zstd')).toEqual({ kind: 'unsupported', coding: 'zstd' });
    expect(planDecoding('gzip, compress')).toEqual({ kind: 'unsupported', coding: 'compress' });
  });

  it(`refuses more than ${MAX_CODINGS} codings`, () => {
    expect(planDecoding(Array(MAX_CODINGS).fill('gzip').join(','))).toMatchObject({ kind: 'decode' });
    expect(planDecoding(Array(MAX_CODINGS + 1).fill('identity').join(','))).toEqual({ kind: 'too-many', count: MAX_CODINGS + 1 });
  });
});

describe('decoding', () => {
  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync],
    ['br', brotliCompressSync],
    ['identity', (b: Buffer) => b],
  ] as const)('decodes %s (%o)', async (encoding, compress) => {
    const srv = await encoded(encoding, compress(FEED));
    expect(await fetchText(srv)).toBe(FEED.toString('utf8'));
    expect(srv.requests[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('undoes stacked codings in reverse order: "deflate, gzip, br" is br(gzip(deflate(body)))', async () => {
    const srv = await encoded('deflate, gzip, br', brotliCompressSync(gzipSync(deflateSync(FEED))));
    expect(await fetchText(srv)).toBe(FEED.toString('utf8'));
  });

  it('decodes a large body exactly (the decoder pushes back on the connection)', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `<item><guid>${i}</guid><title>${randomBytes(8).toString('hex')}</title></item>`);
    const big = Buffer.from(`<rss>${lines.join('\n')}</rss>`);
    expect(big.length).toBeGreaterThan(3 * 1024 * 1024);
    const srv = await encoded('gzip', gzipSync(big));
    expect(await fetchText(srv)).toBe(big.toString('utf8'));
  });

  it('takes a body labelled with something that is not a coding (Content-Encoding: UTF-8) as sent', async () => {
    const srv = await encoded('UTF-8', FEED);
    expect(await fetchText(srv)).toBe(FEED.toString('utf8'));
  });

  it('keeps what decoded of a gzip body cut short, as browsers do', async () => {
    const whole = gzipSync(FEED);
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', connection: 'close' });
      res.end(whole.subarray(0, Math.floor(whole.length / 2)));
    });
    const text = await fetchText(srv);
    expect(text.length).toBeGreaterThan(0);
    expect(FEED.toString('utf8').startsWith(text)).toBe(true);
  });

  it('fails a body that is not what its coding says', async () => {
    const srv = await encoded('gzip', Buffer.from('this is not gzip at all'));
    const err = await failure(makeFetcher(cleanups).fetch(`${srv.origin}/feed?key=secret`));
    expect(err.code).toBe('fetch_failed');
    expect(err.message).toBe(`could not fetch ${srv.origin}/feed: Z_DATA_ERROR`);
  });

  it('refuses a compression it cannot undo instead of handing on compressed bytes', async () => {
    const srv = await encoded('zstd', randomBytes(100));
    const err = await failure(makeFetcher(cleanups).fetch(`${srv.origin}/feed`));
    expect(err.code).toBe('fetch_failed');
    expect(fetchErrorCode(err)).toBe('fetch_failed');
    expect(err.message).toBe(`could not fetch ${srv.origin}/feed: unsupported content-encoding zstd`);
  });

  it(`refuses more than ${MAX_CODINGS} stacked codings without decoding any`, async () => {
    let body = FEED;
    for (let i = 0; i <= MAX_CODINGS; i++) body = gzipSync(body);
    const srv = await encoded(Array(MAX_CODINGS + 1).fill('gzip').join(', '), body);
    const err = await failure(makeFetcher(cleanups).fetch(`${srv.origin}/feed`));
    expect(err.message).toBe(`could not fetch ${srv.origin}/feed: ${MAX_CODINGS + 1} content-encodings (at most ${MAX_CODINGS})`);
  });
});

describe('caps on encoded bodies', () => {
  const EIGHT_MB = Buffer.alloc(8 * 1024 * 1024);

  it.each([
    ['deflate', () => deflateSync(EIGHT_MB)],
    ['deflate', () => deflateRawSync(EIGHT_MB)],
    ['gzip, gzip', () => gzipSync(gzipSync(EIGHT_MB))],
    ['gzip, br', () => brotliCompressSync(gzipSync(EIGHT_MB))],
  ])('stops a %s bomb at the decoded cap', async (encoding, bomb) => {
    const srv = await encoded(encoding, bomb());
    const err = await failure(makeFetcher(cleanups, { maxBytes: 1024 * 1024 }).fetch(`${srv.origin}/bomb`));
    expect(err.code).toBe('fetch_too_large');
    expect(err.message).toBe(`body of ${srv.origin}/bomb is larger than 1048576 bytes`);
  });

  it('holds the body as sent to the cap too: incompressible bytes under gzip grow past it', async () => {
    const srv = await encoded('gzip', gzipSync(randomBytes(64 * 1024)));
    const err = await failure(makeFetcher(cleanups, { maxBytes: 64 * 1024 }).fetch(`${srv.origin}/noise`));
    expect(err.code).toBe('fetch_too_large');
  });

  it('refuses a declared Content-Length over the cap for an encoded body, before reading it', async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(50 * 1024 * 1024) });
      res.on('close', closed);
      res.write(gzipSync(FEED));
    });
    const err = await failure(makeFetcher(cleanups).fetch(`${srv.origin}/declared`));
    expect(err.code).toBe('fetch_too_large');
    await connectionClosed;
  });

  it('counts decoded bytes exactly: a body of exactly maxBytes passes, one more byte does not', async () => {
    const srv = await server((req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync(Buffer.alloc(req.url === '/fits' ? 4096 : 4097, 'a')));
    });
    const fetcher = makeFetcher(cleanups, { maxBytes: 4096 });
    const fits = await fetcher.fetch(`${srv.origin}/fits`);
    expect(fits.status === 'ok' && fits.body.byteLength).toBe(4096);
    expect((await failure(fetcher.fetch(`${srv.origin}/over`))).code).toBe('fetch_too_large');
  });
});
