// A bounded sample (300 of the 10,000 cases of seed 1) of feeds mutated from the real-world corpus,
// run through the production path (decodeFeedBytes + parseFeed): each returns a feed or throws
// WirewatchError('parse_failed'), nothing else; no case hangs (the test timeout); the heap does not
// grow with the number of documents parsed. The full run and its figures: scripts/mutate-corpus.ts,
// docs/reliability.md.
import { describe, expect, it } from 'vitest';
import { loadCorpus, mutatedCase, MUTATION_KINDS, runCase, type CaseOutcome } from '../../scripts/mutate-corpus.js';
import { decodeFeedBytes } from '../../src/sources/feed/decode.js';
import { parseFeed } from '../../src/sources/feed/parse-feed.js';
import { WirewatchError } from '../../src/errors.js';

const SEED = 1;
const FULL_RUN = 10_000;
const SAMPLE = 300;
const CHUNK = 60;
/** Every 37th case of the full run (37 is coprime with 10,000 and ≡ 1 mod 9: every mutation kind comes in turn). */
const sampleIndexes = Array.from({ length: SAMPLE }, (_, i) => (i * 37) % FULL_RUN);

const corpus = loadCorpus();
const gc = (globalThis as { gc?: () => void }).gc;
const heapNow = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};

describe('10,000 mutated feeds, a 300-case sample through decodeFeedBytes + parseFeed', () => {
  const outcomes = new Map<string, number>();
  let heapBefore = 0;

  it('the generator is deterministic and covers every mutation kind', () => {
    const a = mutatedCase(corpus, SEED, 4242);
    const b = mutatedCase(corpus, SEED, 4242);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.detail).toBe(b.detail);
    expect(new Set(sampleIndexes.slice(0, MUTATION_KINDS.length).map((i) => MUTATION_KINDS[i % MUTATION_KINDS.length]))).toEqual(new Set(MUTATION_KINDS));
    expect(mutatedCase(corpus, SEED, 9 * 37).kind).toBe(MUTATION_KINDS[(9 * 37) % MUTATION_KINDS.length]);
    heapBefore = heapNow();
  });

  for (let start = 0; start < SAMPLE; start += CHUNK) {
    it(`cases ${start}–${start + CHUNK - 1} of the sample: parsed or parse_failed, never anything else`, { timeout: 60_000 }, () => {
      const crashes: Array<{ index: number; detail: string; result: CaseOutcome }> = [];
      for (const index of sampleIndexes.slice(start, start + CHUNK)) {
        const c = mutatedCase(corpus, SEED, index);
        const result = runCase(c);
        outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
        if (result.outcome === 'crash') crashes.push({ index, detail: `${c.kind}: ${c.detail} (${c.from})`, result });
      }
      expect(crashes).toEqual([]);
    });
  }

  it('both outcomes occur, and the heap after GC does not keep what was parsed', () => {
    expect((outcomes.get('parsed') ?? 0) + (outcomes.get('parse_failed') ?? 0)).toBe(SAMPLE);
    expect(outcomes.get('parsed') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('parse_failed') ?? 0).toBeGreaterThan(0);
    // Without --expose-gc the heap figure is noise: the assertion is skipped, not failed.
    if (!gc) return;
    const growthMb = (heapNow() - heapBefore) / 1048576;
    expect(growthMb).toBeLessThan(64);
  });
});

describe('hostile shapes the mutations found or must keep covering (regressions)', () => {
  const run = (text: string) => {
    try {
      return { items: parseFeed(decodeFeedBytes(Buffer.from(text, 'utf8'), 'application/xml'), { sourceId: 's', url: 'https://x.example/' }).items.length };
    } catch (err) {
      if (err instanceof WirewatchError) return { code: err.code };
      throw err;
    }
  };
  const rss = (inner: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${inner}</channel></rss>`;

  it.each([
    ['100,000 nested elements, balanced', rss(`<item><title>a</title>${'<x>'.repeat(100_000)}deep${'</x>'.repeat(100_000)}</item>`)],
    ['100,000 nested elements, never closed', rss(`<item><title>a</title>${'<x>'.repeat(100_000)}deep</item>`)],
    ['100,000 nested items', rss(`${'<item>'.repeat(100_000)}<title>a</title>${'</item>'.repeat(100_000)}`)],
  ])('%s: parse_failed, no stack overflow', (_name, text) => {
    expect(run(text)).toEqual({ code: 'parse_failed' });
  });

  it('a JSON Feed nested 100,000 deep: parsed or parse_failed, no stack overflow', () => {
    const text = `{"version":"https://jsonfeed.org/version/1.1","title":"t","deep":${'['.repeat(100_000)}1${']'.repeat(100_000)},"items":[{"id":"1","title":"a"}]}`;
    const result = (() => {
      try {
        return parseFeed(text, { sourceId: 's', url: 'https://x.example/' }).items.length;
      } catch (err) {
        if (err instanceof WirewatchError) return err.code;
        throw err;
      }
    })();
    expect([1, 'parse_failed']).toContain(result);
  });

  it('billion laughs in the internal subset: nothing expanded', () => {
    const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>`;
    const text = `<?xml version="1.0"?>${laughs}<rss version="2.0"><channel><title>t</title><item><title>&lol9;</title><guid>1</guid></item></channel></rss>`;
    const feed = parseFeed(text, { sourceId: 's', url: 'https://x.example/' });
    expect(feed.items.every((i) => i.title.length < 100)).toBe(true);
    expect(JSON.stringify(feed)).not.toContain('lollollol');
  });
});
