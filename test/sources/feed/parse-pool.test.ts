// The parse pool runs the production parse in worker threads: the same result as on the main
// thread, and a body that would stall or exhaust the bot (a parse that runs on and on, one that
// needs a huge heap) costs only its own poll — `parse_failed` — while the next job still parses.
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WirewatchError } from '../../../src/errors.js';
import { createParsePool, defaultParseWorkers, inlineParsePool, JOBS_PER_WORKER, type ParseJob, type ParsePool } from '../../../src/sources/feed/parse-pool.js';
import { runParseJob } from '../../../src/sources/feed/parse-job.js';

const FEEDS = new URL('../../fixtures/corpus/feeds/', import.meta.url);
const corpus = readdirSync(FEEDS).filter((f) => f.endsWith('.xml')).slice(0, 40);
const jobOf = (body: Uint8Array, contentType = 'application/rss+xml'): ParseJob => ({ body, contentType, url: 'https://pool.test/feed.xml', sourceId: 's1' });
const rss = (items: string) => Buffer.from(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${items}</channel></rss>`);

/** Deeply nested markup inside one title: slow to parse and heavy on the heap. */
function heavyFeed(bytes: number): Buffer {
  const parts: string[] = ['<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>'];
  let size = parts[0]?.length ?? 0;
  for (let i = 0; size < bytes; i++) {
    const p = `<b>${i}</b>`;
    parts.push(p);
    size += p.length;
  }
  parts.push('</title><guid>1</guid></item></channel></rss>');
  return Buffer.from(parts.join(''));
}

async function failure(promise: Promise<unknown>): Promise<WirewatchError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WirewatchError);
  return err as WirewatchError;
}

describe('parse pool', () => {
  let pool: ParsePool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('gives, from a worker, what the main thread gives for real-world feeds', async () => {
    pool = createParsePool({ size: 2 });
    expect(corpus.length).toBeGreaterThan(10);
    for (const file of corpus) {
      const body = readFileSync(new URL(file, FEEDS));
      const inline = await inlineParsePool().parse(jobOf(body)).catch((e: unknown) => e);
      const threaded = await pool.parse(jobOf(body)).catch((e: unknown) => e);
      if (inline instanceof WirewatchError) {
        expect(threaded).toBeInstanceOf(WirewatchError);
        expect((threaded as WirewatchError).code).toBe(inline.code);
        expect((threaded as WirewatchError).message).toBe(inline.message);
      } else {
        expect(threaded).toEqual(inline);
      }
    }
    expect(pool.threads).toBeGreaterThan(0);
  });

  it('keeps the parser\'s own error for a body that is not a feed', async () => {
    pool = createParsePool({ size: 1 });
    const err = await failure(pool.parse(jobOf(Buffer.from('<html><body>not a feed</body></html>'), 'text/html')));
    expect(err.code).toBe('parse_failed');
    expect(() => runParseJob(jobOf(Buffer.from('<html><body>not a feed</body></html>'), 'text/html'))).toThrow(err.message);
  });

  it('stops a parse that runs past its deadline, and parses the next feed with a new worker', async () => {
    pool = createParsePool({ size: 1, timeoutMs: 100 });
    const err = await failure(pool.parse(jobOf(heavyFeed(4 * 1024 * 1024))));
    expect(err.code).toBe('parse_failed');
    expect(err.message).toMatch(/longer than/);
    const ok = await pool.parse(jobOf(rss('<item><title>After</title><guid>a1</guid></item>')));
    expect(ok.feed.items.map((i) => i.title)).toEqual(['After']);
  });

  it('loses only the worker when a feed needs more heap than allowed', async () => {
    pool = createParsePool({ size: 1, maxHeapMb: 16, timeoutMs: 60_000 });
    const err = await failure(pool.parse(jobOf(heavyFeed(5 * 1024 * 1024))));
    expect(err.code).toBe('parse_failed');
    expect(err.message).toMatch(/more than 16 MB/);
    const ok = await pool.parse(jobOf(rss('<item><title>Still here</title><guid>a2</guid></item>')));
    expect(ok.feed.items.map((i) => i.title)).toEqual(['Still here']);
  });

  // A worker is handed several jobs at once (JOBS_PER_WORKER): those waiting behind the one that
  // gets it stopped go back to the queue and parse on the next worker.
  it('still parses the jobs waiting behind a parse stopped at its deadline', async () => {
    pool = createParsePool({ size: 1, timeoutMs: 100 });
    const slow = failure(pool.parse(jobOf(heavyFeed(4 * 1024 * 1024))));
    const after = Array.from({ length: JOBS_PER_WORKER + 2 }, (_, i) => pool?.parse(jobOf(rss(`<item><title>w${i}</title><guid>w${i}</guid></item>`))));
    expect((await slow).message).toMatch(/longer than/);
    const titles = (await Promise.all(after)).map((r) => r?.feed.items[0]?.title);
    expect(titles).toEqual(Array.from({ length: JOBS_PER_WORKER + 2 }, (_, i) => `w${i}`));
  });

  it('still parses the jobs waiting behind a feed that exhausted its worker\'s heap', async () => {
    pool = createParsePool({ size: 1, maxHeapMb: 16, timeoutMs: 60_000 });
    const before = pool.parse(jobOf(rss('<item><title>first</title><guid>b</guid></item>')));
    const heavy = failure(pool.parse(jobOf(heavyFeed(5 * 1024 * 1024))));
    const after = [pool.parse(jobOf(rss('<item><title>second</title><guid>c</guid></item>'))), pool.parse(jobOf(rss('<item><title>third</title><guid>d</guid></item>')))];
    expect((await before).feed.items[0]?.title).toBe('first');
    expect((await heavy).message).toMatch(/more than 16 MB/);
    expect((await Promise.all(after)).map((r) => r.feed.items[0]?.title)).toEqual(['second', 'third']);
  });

  it('hands a worker the jobs of one turn of the event loop in one message', async () => {
    pool = createParsePool({ size: 1 });
    await pool.parse(jobOf(rss('<item><title>ready</title><guid>r</guid></item>'))); // the worker has loaded
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      const jobs = ['a', 'b', 'c'].map((t) => pool?.parse(jobOf(rss(`<item><title>${t}</title><guid>${t}</guid></item>`))));
      expect((await Promise.all(jobs)).map((r) => r?.feed.items[0]?.title)).toEqual(['a', 'b', 'c']);
      expect(posted).toHaveBeenCalledTimes(1);
      expect((posted.mock.calls[0]?.[0] as { jobs: unknown[] }).jobs).toHaveLength(3);
      // A job of a later turn goes in a message of its own.
      expect((await pool.parse(jobOf(rss('<item><title>d</title><guid>d</guid></item>')))).feed.items[0]?.title).toBe('d');
      expect(posted).toHaveBeenCalledTimes(2);
    } finally {
      posted.mockRestore();
    }
  });

  it('parses jobs queued beyond its workers, in any number', async () => {
    pool = createParsePool({ size: 2 });
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => pool?.parse(jobOf(rss(`<item><title>n${i}</title><guid>g${i}</guid></item>`)))));
    expect(results.map((r) => r?.feed.items[0]?.title)).toEqual(Array.from({ length: 25 }, (_, i) => `n${i}`));
    expect(pool.threads).toBeLessThanOrEqual(2);
  });

  it('refuses work once closed and ends what was waiting', async () => {
    pool = createParsePool({ size: 1 });
    const waiting = [pool.parse(jobOf(heavyFeed(2 * 1024 * 1024))), pool.parse(jobOf(rss('<item><title>x</title></item>')))].map((w) => failure(w));
    await pool.close();
    for (const err of await Promise.all(waiting)) expect(err.message).toMatch(/closed/);
    expect((await failure(pool.parse(jobOf(rss(''))))).message).toMatch(/closed/);
  });

  it('leaves one core to the main thread by default: one parse thread on one or two cores, two from three', () => {
    expect([1, 2, 3, 4, 16].map((cores) => defaultParseWorkers(cores))).toEqual([1, 1, 2, 2, 2]);
  });

  it('parses on the calling thread when asked for no workers', async () => {
    pool = createParsePool({ size: 0 });
    expect(pool.threads).toBe(0);
    const r = await pool.parse(jobOf(rss('<item><title>Inline</title><guid>i</guid></item>')));
    expect(r.feed.items[0]?.title).toBe('Inline');
  });
});
