// The shortcuts the per-item judging takes give what the plain definitions give: word ids stay
// dense and stable while the intern table grows and once it is full, tokenizing a text twice
// (or after very long ones) gives equal results, and the joined title + summary reuses the
// summary's pattern matches without finding anything a scan of the joined text would not.
import { describe, expect, it } from 'vitest';
import { extractHighlights, extractItemHighlights } from '../../src/relevance/amounts.js';
import { tokenize, WORD_IDS } from '../../src/relevance/fold.js';
import { analyzeItem } from '../../src/relevance/topics.js';

/** Seeded, so a failure names a reproducible text. */
function createRandom(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('tokenize word ids', () => {
  it('stay dense and stable as the table grows, and are -1 for new words once it is full', () => {
    const seen = new Map<string, number>();
    let full = false;
    let highest = -1;
    // More distinct words than the table keeps, a page at a time as items would bring them.
    for (let page = 0; page * 500 < WORD_IDS + 2_000; page++) {
      const words = Array.from({ length: 500 }, (_, i) => `w${page}x${i}`);
      // Known words come back among the new ones.
      const known = [...seen.keys()].slice(page * 7, page * 7 + 20);
      const t = tokenize([...known, ...words].join(' '));
      t.tokens.forEach((token, i) => {
        const id = t.ids[i] ?? -2;
        const before = seen.get(token);
        if (before !== undefined) {
          expect(id, token).toBe(before);
          return;
        }
        if (id === -1) full = true;
        else {
          expect(full, `${token} got an id after the table was full`).toBe(false);
          expect(id, token).toBeGreaterThan(highest);
          expect(id).toBeLessThan(WORD_IDS);
          highest = id;
        }
        seen.set(token, id);
      });
    }
    expect(full).toBe(true);
    // Ids are handed out one after the other: nothing skipped while the table grew.
    const ids = [...seen.values()].filter((id) => id >= 0).sort((a, b) => a - b);
    ids.forEach((id, i) => {
      if (i > 0) expect(id).toBe((ids[i - 1] ?? 0) + 1);
    });
  });

  it('gives equal results for a text read again, after a text longer than the shared scratch', () => {
    const text = 'Nvidia signe un accord de 5 milliards de dollars avec OpenAI pour des puces IA.';
    const first = tokenize(text);
    tokenize(Array.from({ length: 6_000 }, (_, i) => `mot${i % 50}`).join(' '));
    expect(tokenize(text)).toEqual(first);
    // The arrays handed out are the caller's: another call does not change them.
    const copy = structuredClone(first);
    tokenize('something else entirely, 42 times');
    expect(first).toEqual(copy);
  });
});

describe('extractItemHighlights of the joined text', () => {
  const ends = ['', 'Nvidia to spend $5', 'raises 5', 'up 5', 'US', 'C', 'USD', 'EUR', 'twenty', 'quatre', 'a', 'NVDA', '€', '5 billion', '5 milliards', '7,2', '-', '10 %'];
  const starts = [
    '',
    ' ',
    'billion dollars in chips',
    'bn in Texas',
    '% of sales',
    'per cent higher',
    'milliards de dollars',
    'de dollars',
    'five billion',
    '000 GW',
    '$NVDA up 5%',
    ' dans le',
    'in 2026, $3bn and 40 % of 1 GW',
    '-7.2% and +3 %',
    'US$ 4 bn, € 5 mds, 6 MW.',
  ];
  const PIECES = ['$', '€', '£', 'US$', 'USD ', 'EUR ', '%', ' per cent', 'GW', 'MW', 'billion', 'bn', 'm', 'milliards', 'mds', 'de ', 'of ', 'dollars', 'euros', 'un', 'a', 'five', 'vingt', '5', '12', '1,5', '7.2', '80,600', '81 000', '-', '+', '.', ',', ' ', ' ', ' ', 'NVDA', 'BTC', 'in', 'dans', 'Nvidia'];

  const check = (title: string, summary: string): void => {
    const expected = { title: extractHighlights(title), summary: extractHighlights(summary), combined: extractHighlights(`${title} ${summary}`) };
    const label = `${JSON.stringify(title)} | ${JSON.stringify(summary)}`;
    expect(extractItemHighlights(title, summary), label).toEqual(expected);
    expect(extractItemHighlights(title, summary, analyzeItem({ title, summary })), label).toEqual(expected);
  };

  it('finds what a scan of the joined text finds when figures meet at the join', () => {
    for (const end of ends) for (const start of starts) check(end, start);
  });

  it('finds what a scan of the joined text finds on seeded texts full of figures', () => {
    const rnd = createRandom(20_260_301);
    const text = (n: number): string => {
      let s = '';
      while (s.length < n) s += PIECES[Math.floor(rnd() * PIECES.length)] ?? '';
      return s;
    };
    for (let i = 0; i < 300; i++) check(text(rnd() * 60), text(rnd() * 400));
  });
});
