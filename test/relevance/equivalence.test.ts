// The fast paths of the relevance stage give exactly what their plain definitions give: the
// tokenizer against a per-character fold, highlight extraction against a scan of every offset,
// the shared per-item work against computing each part alone, and the indexed story placement
// against comparing each item with every recent story. Texts: the labelled set, the benchmark's
// synthetic items, and seeded hostile strings (odd Unicode, figures cut at the title/summary join).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRandom, syntheticItem } from '../../bench/synthetic.js';
import type { ChannelKey } from '../../src/domain.js';
import { extractHighlights, extractItemHighlights, NUMBER_WORDS, parseNumber, type Highlight } from '../../src/relevance/amounts.js';
import { KNOWN_TICKERS } from '../../src/relevance/entities.js';
import { itemTokens, tokenize, tokenSpans, type TokenSpan } from '../../src/relevance/fold.js';
import { createPhraseMatcher } from '../../src/relevance/phrase-matcher.js';
import {
  createStoryIndex,
  DEFAULT_STORY_OPTIONS,
  indexScore,
  storyIdOf,
  storyScore,
  storySignature,
  type StoryAssignment,
  type StoryIndexItem,
  type StoryIndexOptions,
  type StoryMember,
  type StoryOptions,
  type StoryRecord,
} from '../../src/relevance/stories.js';
import { analyze, analyzeItem } from '../../src/relevance/topics.js';
import { compileChannelRules, type ChannelRule } from '../../src/relevance/watchlist.js';

interface Text {
  title: string;
  summary: string;
  published?: string | undefined;
}

const labeled: Text[] = ['items.jsonl', 'dev-holdout.jsonl'].flatMap((name) =>
  readFileSync(new URL(`../fixtures/labeled/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { title: string; summary?: string; published?: string })
    .map((l) => ({ title: l.title, summary: l.summary ?? '', published: l.published })),
);

const rnd = createRandom(20_260_201);
const synthetic: Text[] = Array.from({ length: 300 }, (_, i) => {
  const s = syntheticItem(rnd, `s${i}`, new Date(Date.UTC(2026, 0, 29) + i * 60_000));
  return { title: s.title, summary: s.summary, published: s.published.toISOString() };
});

/** Pieces that make hostile texts: figures and units in both languages, joins, look-alike letters, marks, astral and lone surrogates. */
const PIECES = [
  '$', '€', '£', '¥', 'US$', 'C$', 'A$', 'USD ', 'EUR ', 'usd', 'eur', 'leur ', '%', ' per cent', 'pour cent', 'GW', 'MW', 'TW', 'gigawatts', 'mégawatts',
  'MÉGAWATT', 'térawatt', 'billion', 'bn', 'b', 'm', 'k', 'mds', 'Mrds', 'milliards', 'million', 'mille', 'thousand', 'trillion', 'de ', "d'", 'd’', 'of ',
  'dollars', 'dollar US', 'dollars américains', 'euros', 'livres sterling', 'pounds', 'yuan', 'yens', 'GBP', 'un', 'une', 'a', 'an', 'one', 'deux', 'vingt',
  'quatre-vingt-dix', 'soixante-dix', 'cent', 'hundred', 'and', 'et', 'twenty-five', 'ſix', 'ſ', 'K', 'K', '0', '1', '5', '12', '100', '1,5', '7.2', '80,600',
  '81 000', '81\u00a0000', '5\u202f000', '-', '+', '−', '–', '.', ',', ';', ')', '|', ' ', ' ', ' ', '\u00a0', '\n', 'NVDA', '$NVDA', 'BTC', 'ETH', 'XRP',
  'NVIDIA', 'Nvidia', 'Intel', 'INTEL', 'intel', 'H20', 'water', 'Kraken', 'hockey', 'DeFi', 'défi', 'SEC', 'é', 'e\u0301', '\u00ad', '\u200d', 'ﬁ', 'H₂O',
  '½', '😀', '\ud83d', 'Œ', 'ß', 'İ', 'ı', '™un', 'in', 'dans', 'pour', 'selon', 'data center', 'data center data center', 'centres de données', 'plus haut',
  'all time plus haut', 'on ice on ice', 'au comptant', 'États-Unis', 'puces', 'IA', 'AI', 'gaming', 'potato chips', 'j’ai', 'constructor', '__proto__',
];

function hostile(length: number): string {
  let s = '';
  while (s.length < length) {
    const r = rnd();
    s += r < 0.6 ? PIECES[Math.floor(rnd() * PIECES.length)] : r < 0.9 ? ' ' : String.fromCodePoint(Math.floor(rnd() * 0x3000));
  }
  return s;
}

const odd: Text[] = Array.from({ length: 400 }, (_, i) => ({ title: hostile(Math.floor(rnd() * 100)), summary: i % 5 === 0 ? '' : hostile(Math.floor(rnd() * 600)) }));
const texts: Text[] = [...labeled, ...synthetic, ...odd];

// --- Reference: the per-character tokenizer ---------------------------------------------------

const SPECIAL: Readonly<Record<string, string>> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', đ: 'd', ð: 'd', ł: 'l', ı: 'i', þ: 'th' };

function foldChar(ch: string): string {
  if (/^[\p{M}\p{Cf}]$/u.test(ch)) return '';
  let lower = '';
  for (const c of ch.toLowerCase()) lower += SPECIAL[c] ?? c;
  let out = '';
  for (const c of lower.normalize('NFKD')) {
    if (/^[\p{M}\p{Cf}]$/u.test(c)) continue;
    out += /^[\p{L}\p{N}]$/u.test(c) ? (SPECIAL[c.toLowerCase()] ?? c.toLowerCase()) : ' ';
  }
  return out;
}

function referenceSpans(text: string): TokenSpan[] {
  const spans: TokenSpan[] = [];
  let token = '';
  let start = 0;
  let end = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    const folded = cp < 0x80 ? (/[a-z0-9]/i.test(text[i] ?? '') ? (text[i] ?? '').toLowerCase() : ' ') : foldChar(text.slice(i, i + width));
    if (folded === '') {
      if (token !== '') end = i + width;
    } else {
      for (const c of folded) {
        if (c === ' ') {
          if (token !== '') spans.push({ token, start, end });
          token = '';
        } else {
          if (token === '') start = i;
          token += c;
          end = i + width;
        }
      }
    }
    i += width;
  }
  if (token !== '') spans.push({ token, start, end });
  return spans;
}

// --- Reference: highlights by a global scan of each pattern ------------------------------------

const WORD = String.raw`(?:${Object.keys(NUMBER_WORDS)
  .sort((a, b) => b.length - a.length)
  .join('|')})(?![\p{L}])`;
const WORDS = String.raw`(?:${WORD}(?:[\s\-]+(?:(?:et|and)[\s\-]+)?${WORD})*)`;
const DIGITS = String.raw`(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)`;
const NUM = String.raw`(?<num>${DIGITS}|${WORDS})`;
const SCALE = String.raw`(?<scale>trillions?|tn|billions?|bn|b|millions?|mn|mio|m|thousand|k|milliards?|mds?|mrds?|mille)`;
const CUR = String.raw`(?<cur>dollars?(?:\s(?:américains|americains|US))?|euros?|USD|EUR|GBP|livres?(?:\ssterling)?|pounds?(?:\ssterling)?|yuans?|yens?|\$|€|£)`;
const NW = String.raw`(?![\p{L}\p{N}])`;
const ST = String.raw`(?<![\p{L}\p{N}.,])`;
const PATTERNS = {
  prefix: new RegExp(String.raw`(?<pre>US\$|C\$|A\$|\$|€|£|¥|USD\s|EUR\s)\s?${NUM}(?:[\s\u00a0]?${SCALE})?${NW}`, 'giu'),
  suffix: new RegExp(String.raw`${ST}${NUM}(?:[\s\u00a0]?${SCALE})?[\s\u00a0]?(?:(?<of>de|d['’]|of)[\s\u00a0]?)?${CUR}${NW}`, 'giu'),
  bare: new RegExp(
    String.raw`${ST}${NUM}[\s\u00a0](?<scale>billions?|milliards?|trillions?|mds)(?=\s*(?:[.,;:!?)|]|$)|\s(?:dans|in|for|pour|à|et|and|en|au|aux|from|de\s(?:plus|moins)|selon|this|cette)\s)`,
    'giu',
  ),
  power: new RegExp(String.raw`${ST}${NUM}[\s\u00a0]?-?[\s\u00a0]?(?<unit>GW|gigawatts?|MW|mégawatts?|megawatts?|TW|térawatts?|terawatts?)${NW}`, 'giu'),
  percent: new RegExp(String.raw`(?<![\p{L}\p{N}.,])(?<sign>[+\-−–]\s?)?${NUM}[\s\u00a0\u202f]?(?:%|per\s?cent|pour\s?cent)${NW}`, 'giu'),
  ticker: /(?<![\p{L}\p{N}$])(\$?)([A-Z]{2,5})(?![\p{L}\p{N}])/gu,
};
const SCALES: Readonly<Record<string, number>> = { trillion: 1e12, trillions: 1e12, tn: 1e12, billion: 1e9, billions: 1e9, bn: 1e9, b: 1e9, million: 1e6, millions: 1e6, mn: 1e6, mio: 1e6, m: 1e6, thousand: 1e3, k: 1e3, milliard: 1e9, milliards: 1e9, md: 1e9, mds: 1e9, mrd: 1e9, mrds: 1e9, mille: 1e3 };

function currency(symbol: string): string | undefined {
  const s = symbol.toLowerCase().trim();
  if (s.startsWith('$') || s === 'us$' || s.startsWith('dollar') || s === 'usd') return 'USD';
  if (s === 'c$') return 'CAD';
  if (s === 'a$') return 'AUD';
  if (s === '€' || s.startsWith('euro') || s === 'eur') return 'EUR';
  if (s === '£' || s.startsWith('livre') || s.startsWith('pound') || s === 'gbp') return 'GBP';
  if (s === '¥' || s.startsWith('yen')) return 'JPY';
  if (s.startsWith('yuan')) return 'CNY';
  return undefined;
}

function scale(word: string | undefined, frenchOf: boolean): number {
  if (word === undefined) return 1;
  const key = word.toLowerCase();
  if (frenchOf && (key === 'billion' || key === 'billions')) return 1e12;
  return SCALES[key] ?? 1;
}

const round = (n: number): number => Number(n.toPrecision(12));

function referenceHighlights(text: string): Highlight[] {
  const found: Highlight[] = [];
  const spans: Array<[number, number]> = [];
  const free = (s: number, e: number): boolean => spans.every(([a, b]) => e <= a || s >= b);
  const add = (h: Highlight, length: number): void => {
    found.push(h);
    spans.push([h.start, h.start + length]);
  };
  type G = Partial<Record<'num' | 'scale' | 'cur' | 'pre' | 'of' | 'unit' | 'sign', string>>;
  const each = (re: RegExp, fn: (g: G, start: number, written: string) => void): void => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const written = m[0].trimEnd();
      const start = m.index + (m[0].length - m[0].trimStart().length);
      if (free(start, start + written.length)) fn((m.groups ?? {}) as G, start, written.trim());
    }
  };
  const money = (g: G, start: number, written: string, cur: string | undefined, frenchOf: boolean): void => {
    const n = parseNumber(g.num ?? '');
    if (n === undefined || (!/\d/.test(g.num ?? '') && g.scale === undefined)) return;
    const unit = currency(cur ?? '');
    add({ kind: 'money', text: written, value: round(n * scale(g.scale, frenchOf)), ...(unit ? { unit } : {}), start }, written.length);
  };
  each(PATTERNS.prefix, (g, start, written) => money(g, start, written, g.pre, false));
  each(PATTERNS.suffix, (g, start, written) => money(g, start, written, g.cur, g.of !== undefined && g.of.toLowerCase() !== 'of'));
  each(PATTERNS.bare, (g, start, written) => {
    const n = parseNumber(g.num ?? '');
    if (n !== undefined) add({ kind: 'money', text: written, value: round(n * scale(g.scale, false)), start }, written.length);
  });
  each(PATTERNS.power, (g, start, written) => {
    const n = parseNumber(g.num ?? '');
    if (n === undefined) return;
    const unit = (g.unit ?? '').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
    add({ kind: 'power', text: written, value: round(n * ({ g: 1, m: 1e-3, t: 1e3 }[unit.charAt(0)] ?? 1)), unit: 'GW', start }, written.length);
  });
  each(PATTERNS.percent, (g, start, written) => {
    const n = parseNumber(g.num ?? '');
    if (n !== undefined) add({ kind: 'percent', text: written, value: g.sign !== undefined && /[-−–]/.test(g.sign) ? -n : n, unit: '%', start }, written.length);
  });
  PATTERNS.ticker.lastIndex = 0;
  for (let m = PATTERNS.ticker.exec(text); m !== null; m = PATTERNS.ticker.exec(text)) {
    const symbol = m[2] ?? '';
    if (KNOWN_TICKERS.has(symbol) && free(m.index, m.index + m[0].length)) add({ kind: 'ticker', text: m[0], unit: symbol, start: m.index }, m[0].length);
  }
  return found.sort((a, b) => a.start - b.start);
}

// --- Reference: placing an item by comparing it with every recent story ----------------------

function referenceIndex(options: StoryIndexOptions = {}): { assign(item: StoryIndexItem, now: number): StoryAssignment; snapshot(): StoryRecord[] } {
  const windowMs = options.windowMs ?? DEFAULT_STORY_OPTIONS.windowMs;
  const representatives = options.representatives ?? 8;
  const storyOptions: Partial<StoryOptions> = { ...options, windowMs };
  let stories: StoryRecord[] = (options.initial ?? []).map((s) => ({ ...s, members: [...s.members] }));
  const ids = new Set(stories.map((s) => s.id));
  const outlets = (members: readonly StoryMember[], from = -Infinity): number =>
    new Set(members.flatMap((m, i) => (m.time >= from ? [m.source ?? `#${i}`] : []))).size;
  return {
    assign(item, now) {
      stories = stories.filter((s) => s.members.some((m) => m.time >= now - windowMs));
      const signature = storySignature(item);
      const time = signature.time ?? now;
      let best: StoryRecord | undefined;
      let bestScore = 0.5;
      for (const story of stories) {
        for (const member of story.members.slice(0, representatives)) {
          if (member.signature === undefined) continue;
          const score = storyScore(signature, member.signature, storyOptions);
          if (score >= bestScore && (best !== story || score > bestScore)) {
            best = story;
            bestScore = score;
          }
        }
      }
      const member: StoryMember = { signature, source: item.source, time };
      if (best === undefined) {
        let id = storyIdOf(item.key ?? item.title);
        for (let n = 2; ids.has(id); n++) id = storyIdOf(`${item.key ?? item.title}#${n}`);
        ids.add(id);
        const breaking = (options.breakingOutlets ?? 3) <= 1;
        stories.push({ id, members: [member], breaking });
        return { storyId: id, isNew: true, sources: 1, breaking, becameBreaking: breaking, member: 0 };
      }
      // Past the representatives, one report per named outlet, its latest, without signature.
      const sameOutlet = best.members.findIndex((m, i) => i >= representatives && member.source !== undefined && m.source === member.source);
      const kept = best.members[sameOutlet];
      let place = sameOutlet;
      if (best.members.length < representatives) place = best.members.push(member) - 1;
      else if (kept === undefined) place = best.members.push({ signature: undefined, source: member.source, time }) - 1;
      else if (Number.isNaN(kept.time) || time > kept.time) best.members[sameOutlet] = { signature: undefined, source: member.source, time };
      const was = best.breaking;
      if (!was) best.breaking = outlets(best.members, time - (options.breakingWindowMs ?? 3_600_000)) >= (options.breakingOutlets ?? 3);
      return { storyId: best.id, isNew: false, sources: outlets(best.members), breaking: best.breaking, becameBreaking: best.breaking && !was, member: place };
    },
    snapshot() {
      return stories.map((s) => ({ ...s, members: [...s.members] }));
    },
  };
}

const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

// --- The checks ---------------------------------------------------------------------------------

describe('tokenize', () => {
  it('folds every text as the per-character definition does', () => {
    for (const t of texts) for (const text of [t.title, t.summary]) expect(tokenSpans(text), text).toEqual(referenceSpans(text));
  });

  it('gives an id only to plain ASCII words, and the same id to the same word', () => {
    const seen = new Map<number, string>();
    for (const t of texts) {
      const tk = tokenize(t.summary);
      tk.ids.forEach((id, i) => {
        if (id < 0) return;
        const written = t.summary.slice(tk.starts[i], tk.ends[i]);
        expect(written).toMatch(/^[a-zA-Z0-9]+$/);
        expect(written.toLowerCase()).toBe(tk.tokens[i]);
        expect(seen.get(id) ?? tk.tokens[i]).toBe(tk.tokens[i]);
        seen.set(id, tk.tokens[i] ?? '');
      });
    }
    expect(seen.size).toBeGreaterThan(100);
  });
});

describe('extractHighlights', () => {
  it('finds what a scan of every offset finds', () => {
    for (const t of texts) for (const text of [t.title, t.summary]) expect(extractHighlights(text), text).toEqual(referenceHighlights(text));
  });

  it('reads a title and a summary alone and joined, from the tokens or not, as three separate scans', () => {
    const joins = ['US', 'C', 'USD', 'EUR', '5', '5 billion', 'Nvidia to spend $5', 'Bitcoin up 5', 'a', 'NVDA', '€', 'quatre'];
    const openings = ['$ 5', '$5bn', '% of', 'billion dollars', 'milliards de dollars', ' dans le', 'GW', 'per cent', 'NVDA', '5 bn in', 'de dollars'];
    const pairs: Array<[string, string]> = [...texts.map((t): [string, string] => [t.title, t.summary]), ...joins.flatMap((a) => openings.map((b): [string, string] => [a, b]))];
    for (const [title, summary] of pairs) {
      const expected = { title: referenceHighlights(title), summary: referenceHighlights(summary), combined: referenceHighlights(`${title} ${summary}`) };
      expect(extractItemHighlights(title, summary), `${title} | ${summary}`).toEqual(expected);
      expect(extractItemHighlights(title, summary, analyzeItem({ title, summary })), `${title} | ${summary}`).toEqual(expected);
    }
  });
});

describe('the shared per-item work', () => {
  const rules = new Map<ChannelKey, ChannelRule>([
    ['console:a', { topics: ['ai-chips', 'crypto'], terms: [] }],
    ['console:b', { topics: [], terms: ['nvidia', '"data center"', 'hbm4', 'openai', '-gaming', 'topic:crypto:tether', '-topic:ai-chips'] }],
    ['console:c', { topics: ['crypto'], terms: ['coinbase', 'etf', 'stablecoins', '-dogecoin', '$BTC'] }],
  ]);
  const compiled = compileChannelRules(rules);

  it('judges, matches watch terms and signs an item as computing each alone does', () => {
    for (const t of texts) {
      const analyzed = analyzeItem(t);
      const { title: _title, summary: _summary, ...analysis } = analyzed;
      expect(analysis).toEqual(analyze(t));
      expect(itemTokens(t, analyzed)).toEqual(itemTokens(t));
      expect([...compiled.decideAllParts(analyzed.title, analyzed.summary, analyzed.judgement)]).toEqual([...compiled.decideAll(itemTokens(t), analyzed.judgement)]);
      const highlights = extractItemHighlights(t.title, t.summary, analyzed);
      expect(storySignature({ ...t, prework: { analyzed, highlights } }), t.title).toEqual(storySignature(t));
    }
  });

  it('ignores work done on another text', () => {
    const other = analyzeItem({ title: 'Nvidia buys $5 billion of chips', summary: 'Data center deal.' });
    const t = { title: 'Bitcoin falls 5%', summary: 'Coinbase halts withdrawals.' };
    expect(storySignature({ ...t, prework: { analyzed: other } })).toEqual(storySignature(t));
  });

  it('matches phrases from word ids as from the words', () => {
    const m = createPhraseMatcher([
      { phrase: 'data center', value: 1 },
      { phrase: 'nvidia', value: 2 },
      { phrase: 'centres de données', value: 3 },
    ]);
    for (const t of texts) {
      const tk = tokenize(t.summary);
      expect(m.match(tk.tokens, tk.ids)).toEqual(m.match(tk.tokens));
    }
  });
});

describe('indexScore', () => {
  it('scores every pair as storyScore does, names, broad names, figures and topics alike', () => {
    const all = [...labeled, ...synthetic, ...odd].map((t) => storySignature(t));
    // Pairs that share a name (where the index compares), and pairs that do not.
    const byName = new Map<string, number[]>();
    all.forEach((s, i) => s.entities.forEach((e) => byName.set(e, [...(byName.get(e) ?? []), i])));
    const pick = createRandom(7);
    let scored = 0;
    all.forEach((a, i) => {
      for (let k = 0; k < 8; k++) {
        const pool = k % 2 === 0 && a.entities.length > 0 ? (byName.get(a.entities[Math.floor(pick() * a.entities.length)] ?? '') ?? []) : undefined;
        const j = pool ? (pool[Math.floor(pick() * pool.length)] ?? i) : Math.floor(pick() * all.length);
        const b = all[j] ?? a;
        for (const options of [{}, { amountTolerance: 0 }, { windowMs: 3_600_000 }]) {
          const want = storyScore(a, b, options);
          if (want > 0) scored += 1;
          expect(indexScore(a, b, options), `${i} ${j}`).toBe(want);
        }
      }
    });
    expect(scored).toBeGreaterThan(500);
  });
});

describe('createStoryIndex', () => {
  const H = 3_600_000;
  const items = (list: readonly Text[], label: string): StoryIndexItem[] =>
    list.map((t, i) => ({ ...t, key: i % 7 === 0 ? undefined : `${label}-${i % 40}`, source: i % 5 === 0 ? undefined : `o${i % 6}` }));

  it.each([
    ['labelled, undated clock', items(labeled, 'l'), {}, (): number => -Infinity],
    ['synthetic, all in the window', items(synthetic, 's'), {}, (i: number): number => Date.UTC(2026, 0, 29) + i * 60_000],
    ['synthetic, a short window', items(synthetic, 's'), { windowMs: 2 * H }, (i: number): number => Date.UTC(2026, 0, 29) + i * 10 * 60_000],
    ['synthetic, exact figures, two representatives', items(synthetic, 's'), { amountTolerance: 0, representatives: 2 }, (): number => Date.UTC(2026, 0, 30)],
    ['synthetic, any figure matches', items(synthetic, 's'), { amountTolerance: 1.5, breakingOutlets: 1 }, (): number => Date.UTC(2026, 0, 30)],
    ['synthetic, more representatives than the index marks one by one', items(synthetic, 's'), { representatives: 40 }, (): number => Date.UTC(2026, 0, 30)],
    ['hostile, clock jumping back and forth', items(odd, 'h'), {}, (i: number): number => (i % 50 === 49 ? Number.NaN : Date.UTC(2026, 0, 29) + ((i * 7919) % 97) * H)],
  ] as const)('places items as comparing with every recent story does: %s', (_label, list, options, clock) => {
    const fast = createStoryIndex(options);
    const slow = referenceIndex(options);
    list.forEach((item, i) => expect(fast.assign(item, clock(i)), item.title).toEqual(slow.assign(item, clock(i))));
    expect(plain(fast.snapshot())).toEqual(plain(slow.snapshot()));
  });

  it('compares the representatives past the thirty it marks one by one', () => {
    // Thirty-five reports of one deal, the 32nd the only one naming TSMC; then an item naming TSMC alone.
    const deal = 'Nvidia and OpenAI sign a chip supply deal for new data centers';
    const reports: StoryIndexItem[] = Array.from({ length: 35 }, (_, i) => ({
      title: i === 31 ? 'Nvidia, OpenAI and TSMC sign a chip supply deal for new data centers' : deal,
      summary: '',
      key: `r${i}`,
      source: `o${i}`,
    }));
    const item: StoryIndexItem = { title: 'TSMC signs a chip supply deal for new data centers', summary: '', key: 'x', source: 'ox' };
    const fast = createStoryIndex({ representatives: 40 });
    const slow = referenceIndex({ representatives: 40 });
    const now = Date.UTC(2026, 0, 30);
    for (const r of reports) expect(fast.assign(r, now)).toEqual(slow.assign(r, now));
    const placed = fast.assign(item, now);
    expect(placed).toEqual(slow.assign(item, now));
    expect(placed).toMatchObject({ storyId: storyIdOf('r0'), isNew: false, member: 35 });
  });

  it('starts again from a stored copy, odd times included, as the plain index does', () => {
    const list = items([...labeled, ...synthetic.slice(0, 100)], 'r');
    const half = createStoryIndex({});
    list.slice(0, 150).forEach((item, i) => half.assign(item, Date.UTC(2026, 0, 29) + i * 60_000));
    const stored = plain(half.snapshot());
    const first = stored[0]?.members[0];
    if (first) (first as { time: unknown }).time = null;
    const fast = createStoryIndex({ initial: plain(stored) });
    const slow = referenceIndex({ initial: plain(stored) });
    list.slice(150).forEach((item, i) => {
      const now = Date.UTC(2026, 0, 29) + (150 + i) * 60_000;
      expect(fast.assign(item, now)).toEqual(slow.assign(item, now));
    });
    expect(plain(fast.snapshot())).toEqual(plain(slow.snapshot()));
  });

  it('gives the touched stories as the snapshot lists them', () => {
    const index = createStoryIndex({});
    const ids = items(synthetic.slice(0, 80), 't').map((item, i) => index.assign(item, Date.UTC(2026, 0, 29) + i * 60_000).storyId);
    const wanted = new Set(ids.filter((_, i) => i % 3 === 0));
    expect(wanted.size).toBeGreaterThan(1);
    expect(index.readOf(wanted)).toEqual(index.snapshot().filter((s) => wanted.has(s.id)));
    expect(index.readOf(new Set(['nope']))).toEqual([]);
  });
});
