import { describe, expect, it } from 'vitest';
import { tokens } from '../../src/relevance/fold.js';
import { createPhraseMatcher } from '../../src/relevance/phrase-matcher.js';

describe('createPhraseMatcher', () => {
  it('matches multi-token phrases as token sequences', () => {
    const m = createPhraseMatcher([
      { phrase: 'stargate project', value: 'sp' },
      { phrase: 'ETH', value: 'eth' },
    ]);
    expect(m.match(tokens('The Stargate Project expands'))).toEqual([{ value: 'sp', start: 1, end: 3 }]);
    expect(m.match(tokens('Stargate, the TV show, project'))).toEqual([]);
    expect(m.match(tokens('a new method'))).toEqual([]);
    expect(m.match(tokens('ETH rallies'))).toEqual([{ value: 'eth', start: 0, end: 1 }]);
  });

  it('reports overlapping and nested matches, in order of start then length', () => {
    const m = createPhraseMatcher([
      { phrase: 'bitcoin', value: 'b' },
      { phrase: 'bitcoin etf', value: 'be' },
      { phrase: 'etf flows', value: 'ef' },
    ]);
    expect(m.match(tokens('bitcoin ETF flows'))).toEqual([
      { value: 'b', start: 0, end: 1 },
      { value: 'be', start: 0, end: 2 },
      { value: 'ef', start: 1, end: 3 },
    ]);
  });

  it('folds phrases like items and keeps every value of a shared phrase once', () => {
    const m = createPhraseMatcher([
      { phrase: 'Puces d’IA', value: 1 },
      { phrase: "puces d'ia", value: 2 },
      { phrase: 'PUCES D IA', value: 1 },
      { phrase: '@@@', value: 3 },
    ]);
    expect(m.size).toBe(2);
    expect(m.match(tokens('des puces d’IA')).map((x) => x.value)).toEqual([1, 2]);
  });

  it('finds repeated occurrences and handles a phrase at the very end', () => {
    const m = createPhraseMatcher([{ phrase: 'xrp ledger', value: 'x' }]);
    expect(m.match(tokens('XRP Ledger, and the XRP ledger'))).toEqual([
      { value: 'x', start: 0, end: 2 },
      { value: 'x', start: 4, end: 6 },
    ]);
    expect(m.match(tokens('xrp'))).toEqual([]);
    expect(createPhraseMatcher<string>([]).match(tokens('anything'))).toEqual([]);
  });

  it('stays correct with 10,000 phrases', () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => ({ phrase: `term${i} word${i % 97}`, value: i }));
    entries.push({ phrase: 'nvidia', value: -1 });
    const m = createPhraseMatcher(entries);
    expect(m.size).toBe(10_001);
    const found = m.match(tokens('news: term4242 word71, term9999 word8, term5 word6, nvidia'));
    expect(found).toEqual([
      { value: 4242, start: 1, end: 3 },
      { value: 9999, start: 3, end: 5 },
      { value: -1, start: 7, end: 8 },
    ]);
  });
});
