import { describe, expect, it } from 'vitest';
import { fold, itemTokens, PART_BOUNDARY, tokenize, tokenSpans, tokens, WORD_IDS } from '../../src/relevance/fold.js';

describe('fold', () => {
  it('lower-cases and removes accents', () => {
    expect(fold('Réserve Fédérale à Zürich')).toBe('reserve federale a zurich');
    expect(fold('MÉGADATACENTER')).toBe('megadatacenter');
    expect(fold('ÇA ÇÀ')).toBe('ca ca');
  });

  it('spells out letters that do not decompose', () => {
    expect(fold('Œuvre cœur')).toBe('oeuvre coeur');
    expect(fold('Æsir')).toBe('aesir');
    expect(fold('Straße')).toBe('strasse');
  });

  it('treats typographic apostrophes, quotes and dashes as boundaries', () => {
    expect(fold('l’IA')).toBe('l ia');
    expect(fold("l'IA")).toBe('l ia');
    expect(tokens('« puces d’IA » — semi‑conducteurs')).toEqual(['puces', 'd', 'ia', 'semi', 'conducteurs']);
    expect(fold('“stargate” – project')).toBe('stargate project');
  });

  it('drops $ from tickers', () => {
    expect(fold('$BTC')).toBe('btc');
    expect(tokens('Buy $NVDA, sell $BTC!')).toEqual(['buy', 'nvda', 'sell', 'btc']);
  });

  it('keeps alphanumeric tokens whole, so codes match exactly', () => {
    expect(tokens('H200 vs H2000')).toEqual(['h200', 'vs', 'h2000']);
    expect(tokens('H200')).not.toContain('h2000');
    expect(tokens('method')).not.toContain('eth');
    expect(tokens('H₂O')).toEqual(['h2o']);
  });

  it('joins across combining marks and soft hyphens, collapses runs of separators and trims', () => {
    expect(fold('cafe\u0301')).toBe('cafe');
    expect(fold('cryp\u00adto')).toBe('crypto');
    expect(fold('  --  Nvidia ,,, !!  ')).toBe('nvidia');
    expect(fold('@@@')).toBe('');
    expect(tokens('')).toEqual([]);
  });

  it('reports where each token was written', () => {
    const text = 'Les puces d’IA de Nvidia';
    const spans = tokenSpans(text);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['Les', 'puces', 'd', 'IA', 'de', 'Nvidia']);
    const decomposed = 'Re\u0301serve';
    const [only] = tokenSpans(decomposed);
    expect(only).toEqual({ token: 'reserve', start: 0, end: decomposed.length });
  });

  it('puts a boundary token between title and summary that no fold produces', () => {
    const toks = itemTokens({ title: 'Stargate', summary: 'project news' });
    expect(toks).toEqual(['stargate', PART_BOUNDARY, 'project', 'news']);
    expect(tokens(PART_BOUNDARY)).toEqual([]);
  });

  it('names plain ASCII words with ids, the same word with the same id, and nothing else', () => {
    const long = 'x'.repeat(500);
    const t = tokenize(`Nvidia NVIDIA nvidia café cafe\u0301 H₂O ½ ${long} l’IA`);
    expect(t.tokens).toEqual(['nvidia', 'nvidia', 'nvidia', 'cafe', 'cafe', 'h2o', '1', '2', long, 'l', 'ia']);
    const [a, b, c, ...rest] = t.ids;
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(WORD_IDS);
    expect([b, c]).toEqual([a, a]);
    // Folded, joined by a mark, split from one character, too long to keep: no id.
    expect(rest.slice(0, 6)).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(rest.slice(6).every((id) => id >= 0)).toBe(true);
    expect(tokenize('Nvidia').ids).toEqual([a]);
  });
});
