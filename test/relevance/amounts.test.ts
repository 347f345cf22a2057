import { describe, expect, it } from 'vitest';
import { extractHighlights, parseNumber } from '../../src/relevance/amounts.js';

const figures = (text: string): Array<[string, string, number | undefined, string | undefined]> =>
  extractHighlights(text).map((h) => [h.kind, h.text, h.value, h.unit]);

describe('extractHighlights', () => {
  it.each([
    ['Nvidia to invest $100 billion in OpenAI', 'money', '$100 billion', 100e9, 'USD'],
    ['A $100bn plan', 'money', '$100bn', 100e9, 'USD'],
    ['A €2bn plan', 'money', '€2bn', 2e9, 'EUR'],
    ['Un plan de 2 milliards d’euros', 'money', '2 milliards d’euros', 2e9, 'EUR'],
    ['« 100 milliards de dollars »', 'money', '100 milliards de dollars', 100e9, 'USD'],
    ['1,5 milliard de dollars volés', 'money', '1,5 milliard de dollars', 1.5e9, 'USD'],
    ['5 000 milliards de dollars de capitalisation', 'money', '5 000 milliards de dollars', 5e12, 'USD'],
    ['Bybit hacked for $1.46B', 'money', '$1.46B', 1.46e9, 'USD'],
    ['Bitcoin falls to $80,600', 'money', '$80,600', 80_600, 'USD'],
    ['Le bitcoin sous les 81 000 $', 'money', '81 000 $', 81_000, 'USD'],
    ['Un billion de dollars de dette', 'money', 'Un billion de dollars', 1e12, 'USD'],
    ['valorisée 40 milliards', 'money', '40 milliards', 40e9, undefined],
    ['10 GW of systems', 'power', '10 GW', 10, 'GW'],
    ['dix gigawatts de capacité', 'power', 'dix gigawatts', 10, 'GW'],
    ['1.5 gigawatts in Texas', 'power', '1.5 gigawatts', 1.5, 'GW'],
    ['a 500 MW campus', 'power', '500 MW', 0.5, 'GW'],
    ['the 5-gigawatt Hyperion campus', 'power', '5-gigawatt', 5, 'GW'],
    ['plus d’un gigawatt', 'power', 'un gigawatt', 1, 'GW'],
    ['shares fell -7.2% today', 'percent', '-7.2%', -7.2, '%'],
    ['le titre recule de 7,2 %', 'percent', '7,2 %', 7.2, '%'],
    ['a 15 per cent cut', 'percent', '15 per cent', 15, '%'],
    ['twenty-five billion dollars', 'money', 'twenty-five billion dollars', 25e9, 'USD'],
    ['quatre-vingt-dix milliards de dollars', 'money', 'quatre-vingt-dix milliards de dollars', 90e9, 'USD'],
  ])('%s', (text, kind, written, value, unit) => {
    expect(figures(text)).toEqual([[kind, written, value, unit]]);
  });

  it('reports known tickers, with or without $, written in capitals only', () => {
    expect(figures('$NVDA, CRWV and BTC rise; eth and Sol do not, nor FOO')).toEqual([
      ['ticker', '$NVDA', undefined, 'NVDA'],
      ['ticker', 'CRWV', undefined, 'CRWV'],
      ['ticker', 'BTC', undefined, 'BTC'],
    ]);
  });

  it('keeps every figure of a sentence in text order, without overlaps', () => {
    expect(figures('OpenAI takes a 10% stake for $100 billion and 10 GW; NVDA up 3%')).toEqual([
      ['percent', '10%', 10, '%'],
      ['money', '$100 billion', 100e9, 'USD'],
      ['power', '10 GW', 10, 'GW'],
      ['ticker', 'NVDA', undefined, 'NVDA'],
      ['percent', '3%', 3, '%'],
    ]);
  });

  it('does not take words or counts for money', () => {
    expect(figures('He won 12 million chips and one million fans')).toEqual([]);
    expect(figures('Un analyste et une société')).toEqual([]);
    expect(figures('In 2026 the firm hired 400 people')).toEqual([]);
  });

  it('gives the offset of each figure in the text', () => {
    const text = 'Deal: $2bn';
    const [h] = extractHighlights(text);
    expect(h?.start).toBe(6);
    expect(text.slice(h?.start ?? 0)).toBe('$2bn');
  });
});

describe('parseNumber', () => {
  it('reads English and French grouping and decimals, and words', () => {
    expect(parseNumber('80,600')).toBe(80_600);
    expect(parseNumber('14,2')).toBe(14.2);
    expect(parseNumber('1,250.5')).toBe(1250.5);
    expect(parseNumber('660 624')).toBe(660_624);
    expect(parseNumber('cent vingt')).toBe(120);
    expect(parseNumber('one hundred and ten')).toBe(110);
    expect(parseNumber('deux mille')).toBe(2000);
  });
});
