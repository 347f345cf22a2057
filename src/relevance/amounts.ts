// Highlights: the figures an alert shows next to the headline (money, power, percentages,
// tickers), extracted from English and French text as written, with a normalised value so that
// « 100 milliards de dollars » and "$100bn" compare equal in story clustering. A fixed handful of
// patterns scanned once per text, never a pattern per term.
import { KNOWN_TICKERS } from './entities.js';

/** One figure found in a text. */
export interface Highlight {
  kind: 'money' | 'power' | 'percent' | 'ticker';
  /** The figure as written in the text, e.g. `$100 billion`, `7,2 %`, `$NVDA`. */
  text: string;
  /**
   * The normalised value: for money, units of the currency (`$2bn` → 2e9); for power, gigawatts
   * (`500 MW` → 0.5); for percent, the signed percentage (`-7.2%` → -7.2). Absent for tickers.
   */
  value?: number;
  /**
   * For money, the ISO currency (`USD`, `EUR`, `GBP`, `JPY`, `CNY`), absent when the text names
   * none (« valorisée 40 milliards »); `GW` for power; `%` for percent; the ticker for tickers.
   */
  unit?: string;
  /** Offset of the first UTF-16 code unit of `text` in the input. */
  start: number;
}

/** Number words of English and French and their values ("dix" → 10); used by story signatures to drop them. */
export const NUMBER_WORDS: Readonly<Record<string, number>> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
  thousand: 1000,
  un: 1,
  une: 1,
  deux: 2,
  trois: 3,
  quatre: 4,
  cinq: 5,
  sept: 7,
  huit: 8,
  neuf: 9,
  dix: 10,
  onze: 11,
  douze: 12,
  treize: 13,
  quatorze: 14,
  quinze: 15,
  seize: 16,
  vingt: 20,
  vingts: 20,
  trente: 30,
  quarante: 40,
  cinquante: 50,
  soixante: 60,
  'soixante-dix': 70,
  'quatre-vingt': 80,
  'quatre-vingts': 80,
  'quatre-vingt-dix': 90,
  cent: 100,
  cents: 100,
  mille: 1000,
};

const WORD_ALT = Object.keys(NUMBER_WORDS)
  .sort((a, b) => b.length - a.length)
  .join('|');
/** A run of number words: "twenty-five", « quatre-vingt-dix », « cent vingt », "one hundred and ten". */
const WORD = String.raw`(?:${WORD_ALT})(?![\p{L}])`;
const WORDS = String.raw`(?:${WORD}(?:[\s\-]+(?:(?:et|and)[\s\-]+)?${WORD})*)`;
/** Digits with English (`80,600.5`) or French (`81 000,5`) grouping, or none. */
const DIGITS = String.raw`(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)`;
const NUM = String.raw`(?<num>${DIGITS}|${WORDS})`;
const SCALE = String.raw`(?<scale>trillions?|tn|billions?|bn|b|millions?|mn|mio|m|thousand|k|milliards?|mds?|mrds?|mille)`;
const CURRENCY_WORD = String.raw`(?<cur>dollars?(?:\s(?:américains|americains|US))?|euros?|USD|EUR|GBP|livres?(?:\ssterling)?|pounds?(?:\ssterling)?|yuans?|yens?|\$|€|£)`;
const NOT_WORD = String.raw`(?![\p{L}\p{N}])`;
const START = String.raw`(?<![\p{L}\p{N}.,])`;

const MONEY_PREFIX = new RegExp(String.raw`(?<pre>US\$|C\$|A\$|\$|€|£|¥|USD\s|EUR\s)\s?${NUM}(?:[\s\u00a0]?${SCALE})?${NOT_WORD}`, 'giu');
const MONEY_SUFFIX = new RegExp(
  String.raw`${START}${NUM}(?:[\s\u00a0]?${SCALE})?[\s\u00a0]?(?:(?<of>de|d['’]|of)[\s\u00a0]?)?${CURRENCY_WORD}${NOT_WORD}`,
  'giu',
);
const MONEY_BARE = new RegExp(
  String.raw`${START}${NUM}[\s\u00a0](?<scale>billions?|milliards?|trillions?|mds)(?=\s*(?:[.,;:!?)|]|$)|\s(?:dans|in|for|pour|à|et|and|en|au|aux|from|de\s(?:plus|moins)|selon|this|cette)\s)`,
  'giu',
);
const POWER = new RegExp(
  String.raw`${START}${NUM}[\s\u00a0]?-?[\s\u00a0]?(?<unit>GW|gigawatts?|MW|mégawatts?|megawatts?|TW|térawatts?|terawatts?)${NOT_WORD}`,
  'giu',
);
const PERCENT = new RegExp(
  String.raw`(?<![\p{L}\p{N}.,])(?<sign>[+\-−–]\s?)?${NUM}[\s\u00a0\u202f]?(?:%|per\s?cent|pour\s?cent)${NOT_WORD}`,
  'giu',
);
const TICKER = /(?<![\p{L}\p{N}$])(\$?)([A-Z]{2,5})(?![\p{L}\p{N}])/gu;

const SCALES: Readonly<Record<string, number>> = {
  trillion: 1e12,
  trillions: 1e12,
  tn: 1e12,
  billion: 1e9,
  billions: 1e9,
  bn: 1e9,
  b: 1e9,
  million: 1e6,
  millions: 1e6,
  mn: 1e6,
  mio: 1e6,
  m: 1e6,
  thousand: 1e3,
  k: 1e3,
  milliard: 1e9,
  milliards: 1e9,
  md: 1e9,
  mds: 1e9,
  mrd: 1e9,
  mrds: 1e9,
  mille: 1e3,
};

function currencyOf(symbol: string): string | undefined {
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

function parseWords(text: string): number | undefined {
  const words = text.toLowerCase().match(new RegExp(String.raw`(?<![\p{L}])${WORD}`, 'gu')) ?? [];
  let total = 0;
  let current = 0;
  for (const w of words) {
    const v = NUMBER_WORDS[w];
    if (v === undefined) return undefined;
    if (v === 100) current = (current || 1) * 100;
    else if (v === 1000) {
      total += (current || 1) * 1000;
      current = 0;
    } else current += v;
  }
  return total + current;
}

/** Parses digits written the English or the French way, or number words. */
export function parseNumber(text: string): number | undefined {
  if (!/\d/.test(text)) return parseWords(text);
  let s = text.replace(/[\s\u00a0\u202f]/g, '');
  if (s.includes(',') && s.includes('.')) s = s.replace(/,/g, '');
  else if (/^\d{1,3}(,\d{3})+$/.test(s)) s = s.replace(/,/g, '');
  else s = s.replace(',', '.');
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function scaleOf(scale: string | undefined, frenchOf: boolean): number {
  if (scale === undefined) return 1;
  const key = scale.toLowerCase();
  // French « billion » is a thousand milliards.
  if (frenchOf && (key === 'billion' || key === 'billions')) return 1e12;
  return SCALES[key] ?? 1;
}

const POWER_GW: Readonly<Record<string, number>> = { g: 1, m: 1e-3, t: 1e3 };

function round(n: number): number {
  return Number(n.toPrecision(12));
}

/**
 * Finds the money amounts, power figures, percentages and known tickers of a text, in text
 * order, without overlaps (`$100 billion` is one money figure, never also a bare amount).
 * Number words count only before a scale or a unit (« dix gigawatts », "one billion dollars"), so
 * an article « un » is never a number.
 */
export function extractHighlights(text: string): Highlight[] {
  const found: Highlight[] = [];
  const add = (h: Highlight, length: number): void => {
    found.push(h);
    spans.push([h.start, h.start + length]);
  };
  const spans: Array<[number, number]> = [];
  const free = (start: number, end: number): boolean => spans.every(([s, e]) => end <= s || start >= e);
  type Groups = Partial<Record<'num' | 'scale' | 'cur' | 'pre' | 'of' | 'unit' | 'sign', string>>;
  const each = (re: RegExp, fn: (m: RegExpExecArray, g: Groups, start: number, written: string) => void): void => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const written = m[0].trimEnd();
      const start = m.index + (m[0].length - m[0].trimStart().length);
      if (!free(start, start + written.length)) continue;
      fn(m, (m.groups ?? {}) as Groups, start, written.trim());
    }
  };

  each(MONEY_PREFIX, (_m, g, start, written) => {
    const n = parseNumber(g.num ?? '');
    if (n === undefined || (!/\d/.test(g.num ?? '') && g.scale === undefined)) return;
    const unit = currencyOf(g.pre ?? '');
    add({ kind: 'money', text: written, value: round(n * scaleOf(g.scale, false)), ...(unit ? { unit } : {}), start }, written.length);
  });
  each(MONEY_SUFFIX, (_m, g, start, written) => {
    const n = parseNumber(g.num ?? '');
    if (n === undefined || (!/\d/.test(g.num ?? '') && g.scale === undefined)) return;
    const frenchOf = g.of !== undefined && g.of.toLowerCase() !== 'of';
    const unit = currencyOf(g.cur ?? '');
    add({ kind: 'money', text: written, value: round(n * scaleOf(g.scale, frenchOf)), ...(unit ? { unit } : {}), start }, written.length);
  });
  each(MONEY_BARE, (_m, g, start, written) => {
    const n = parseNumber(g.num ?? '');
    if (n === undefined) return;
    add({ kind: 'money', text: written, value: round(n * scaleOf(g.scale, false)), start }, written.length);
  });
  each(POWER, (_m, g, start, written) => {
    const n = parseNumber(g.num ?? '');
    if (n === undefined) return;
    const unit = (g.unit ?? '').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
    const factor = POWER_GW[unit.charAt(0)] ?? 1;
    add({ kind: 'power', text: written, value: round(n * factor), unit: 'GW', start }, written.length);
  });
  each(PERCENT, (_m, g, start, written) => {
    const n = parseNumber(g.num ?? '');
    if (n === undefined) return;
    const negative = g.sign !== undefined && /[-−–]/.test(g.sign);
    add({ kind: 'percent', text: written, value: negative ? -n : n, unit: '%', start }, written.length);
  });
  TICKER.lastIndex = 0;
  for (let m = TICKER.exec(text); m !== null; m = TICKER.exec(text)) {
    const symbol = m[2] ?? '';
    if (!KNOWN_TICKERS.has(symbol) || !free(m.index, m.index + m[0].length)) continue;
    add({ kind: 'ticker', text: m[0], unit: symbol, start: m.index }, m[0].length);
  }
  return found.sort((a, b) => a.start - b.start);
}
