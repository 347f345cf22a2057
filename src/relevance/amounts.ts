// Highlights: the figures an alert shows next to the headline (money, power, percentages,
// tickers), extracted from English and French text as written, with a normalised value so that
// « 100 milliards de dollars » and "$100bn" compare equal in story clustering. A fixed handful of
// patterns scanned once per text, never a pattern per term.
import { KNOWN_TICKERS } from './entities.js';
import { WORD_IDS, type TokenizedText } from './fold.js';

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

// The patterns are sticky: each is tried only where a match can start (see `scanText`), which finds
// what a global scan would, without trying every offset of a long summary.
const MONEY_PREFIX = new RegExp(String.raw`(?<pre>US\$|C\$|A\$|\$|€|£|¥|USD\s|EUR\s)\s?${NUM}(?:[\s\u00a0]?${SCALE})?${NOT_WORD}`, 'iuy');
const MONEY_SUFFIX = new RegExp(
  String.raw`${START}${NUM}(?:[\s\u00a0]?${SCALE})?[\s\u00a0]?(?:(?<of>de|d['’]|of)[\s\u00a0]?)?${CURRENCY_WORD}${NOT_WORD}`,
  'iuy',
);
const MONEY_BARE = new RegExp(
  String.raw`${START}${NUM}[\s\u00a0](?<scale>billions?|milliards?|trillions?|mds)(?=\s*(?:[.,;:!?)|]|$)|\s(?:dans|in|for|pour|à|et|and|en|au|aux|from|de\s(?:plus|moins)|selon|this|cette)\s)`,
  'iuy',
);
const POWER = new RegExp(
  String.raw`${START}${NUM}[\s\u00a0]?-?[\s\u00a0]?(?<unit>GW|gigawatts?|MW|mégawatts?|megawatts?|TW|térawatts?|terawatts?)${NOT_WORD}`,
  'iuy',
);
const PERCENT = new RegExp(
  String.raw`(?<![\p{L}\p{N}.,])(?<sign>[+\-−–]\s?)?${NUM}[\s\u00a0\u202f]?(?:%|per\s?cent|pour\s?cent)${NOT_WORD}`,
  'iuy',
);
const TICKER = /(?<![\p{L}\p{N}$])(\$?)([A-Z]{2,5})(?![\p{L}\p{N}])/uy;

interface WordNode {
  /** Children by lower-case ASCII letter (`c - 0x61`). */
  next: Array<WordNode | undefined>;
  word: boolean;
}

/** The number words without hyphen (a hyphenated one starts with one of them), as a trie on lower-case letters. */
const WORD_TRIE: WordNode = { next: [], word: false };
for (const w of Object.keys(NUMBER_WORDS)) {
  if (w.includes('-')) continue;
  let node = WORD_TRIE;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i) - 0x61;
    let child = node.next[c];
    if (child === undefined) {
      child = { next: [], word: false };
      node.next[c] = child;
    }
    node = child;
  }
  node.word = true;
}

/** The lower-case ASCII letter a case-insensitive Unicode pattern reads in `c`, or 0 for none (ſ is s, the Kelvin sign k). */
function letterOf(c: number): number {
  if (c >= 0x61 && c <= 0x7a) return c;
  if (c >= 0x41 && c <= 0x5a) return c + 0x20;
  if (c === 0x17f) return 0x73;
  if (c === 0x212a) return 0x6b;
  return 0;
}

/** True when the character before an offset makes `(?<![\p{L}\p{N}.,])` fail for sure. */
function glued(c: number): boolean {
  return letterOf(c) !== 0 || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2c;
}

/** `\s` of a Unicode pattern. */
function isSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

// Kinds of `TAILS`: the pattern a word tells about.
const SUFFIX = 0;
const BARE = 1;
const POWER_UNIT = 2;
const PER_CENT = 3;
const CURRENCY_PREFIX = 4;

/**
 * Words a pattern must end a match with, or hold after its number, as a run of letters ends: the
 * currencies of `MONEY_SUFFIX`, the scales of `MONEY_BARE`, the units of `POWER` (« mégawatts »
 * ends in "watts"), the "cent" of `PERCENT`, and the `USD ` / `EUR ` that start `MONEY_PREFIX`.
 */
const TAILS: ReadonlyArray<[string, number]> = [
  ...['dollar', 'dollars', 'euro', 'euros', 'usd', 'eur', 'gbp', 'livre', 'livres', 'pound', 'pounds', 'yuan', 'yuans', 'yen', 'yens'].map((w): [string, number] => [w, SUFFIX]),
  ...['billion', 'billions', 'milliard', 'milliards', 'trillion', 'trillions', 'mds'].map((w): [string, number] => [w, BARE]),
  ...['gw', 'mw', 'tw', 'watt', 'watts'].map((w): [string, number] => [w, POWER_UNIT]),
  ['cent', PER_CENT],
  ['usd', CURRENCY_PREFIX],
  ['eur', CURRENCY_PREFIX],
];
/** `TAILS` by their last two letters (`tailKey`), as parallel lists of words and kinds. */
const TAIL_TABLE: Array<{ words: string[]; kinds: number[] } | undefined> = [];
const tailKey = (beforeLast: number, last: number): number => (last - 0x61) * 26 + (beforeLast - 0x61);
for (const [word, kind] of TAILS) {
  const key = tailKey(word.charCodeAt(word.length - 2), word.charCodeAt(word.length - 1));
  const entry = (TAIL_TABLE[key] ??= { words: [], kinds: [] });
  entry.words.push(word);
  entry.kinds.push(kind);
}

/** Whether the letters `text[start, end)` end with `word` as a case-insensitive pattern reads them. */
function endsWith(text: string, start: number, end: number, word: string): boolean {
  const from = end - word.length;
  if (from < start) return false;
  for (let k = 0; k < word.length; k++) if (letterOf(text.charCodeAt(from + k)) !== word.charCodeAt(k)) return false;
  return true;
}

/** Where each pattern can start in a text (ascending offsets), and how far (see `scanText`). */
interface Starts {
  /** `MONEY_PREFIX`: at a currency sign, the `C`/`A`/`US` before a `$`, `USD `, `EUR `. */
  prefixes: number[];
  /** The number patterns: a digit or a number word, not glued to a letter, digit, `.` or `,` before it. */
  numbers: number[];
  /** `PERCENT` also starts at a sign. */
  signs: number[];
  /** `TICKER`: a run of letters opening with two capitals, or the `$` before it. */
  tickers: number[];
  /** No match of a pattern starts after its limit: the last offset of what it must hold, -1 when absent. */
  suffixEnd: number;
  bareEnd: number;
  powerEnd: number;
  percentEnd: number;
}

/**
 * What `scanText` finds in a plain ASCII word written as a whole token (see `TokenizedText.ids`),
 * per word id, filled as words are met (the id names one word for good), packed in a byte: bit 0
 * says it is known, bit 1 that it starts with a digit or a number word (a number starts there
 * unless glued to what is before), bits 2… the tails its last run of letters ends with
 * (`1 << SUFFIX` … shifted by 2).
 */
const WORD_FACTS = new Uint8Array(WORD_IDS);
const KNOWN = 1;
const OPENS_NUMBER = 2;
const TAIL_SHIFT = 2;

function wordFactsOf(word: string): number {
  let opensNumber = false;
  const first = word.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) opensNumber = true;
  else {
    let node: WordNode | undefined = WORD_TRIE;
    for (let i = 0; i < word.length && node !== undefined; i++) {
      const l = letterOf(word.charCodeAt(i));
      if (l === 0) break;
      node = node.next[l - 0x61];
    }
    opensNumber = node !== undefined && node.word;
  }
  let run = word.length;
  while (run > 0 && letterOf(word.charCodeAt(run - 1)) !== 0) run -= 1;
  let tails = 0;
  if (word.length - run >= 2) {
    const table = TAIL_TABLE[tailKey(letterOf(word.charCodeAt(word.length - 2)), letterOf(word.charCodeAt(word.length - 1)))];
    for (let t = 0; table !== undefined && t < table.words.length; t++) {
      if (endsWith(word, run, word.length, table.words[t] ?? '')) tails |= 1 << (table.kinds[t] ?? 0);
    }
  }
  return KNOWN | (opensNumber ? OPENS_NUMBER : 0) | (tails << TAIL_SHIFT);
}

/** The first token from `k` on that is a plain word (`TokenizedText.ids`) starting at `from` or after. */
function nextPlain(ids: readonly number[], starts: readonly number[], k: number, from: number): number {
  while (k < ids.length && ((ids[k] ?? -1) < 0 || (starts[k] ?? 0) < from)) k += 1;
  return k;
}

/**
 * One pass over a text listing where the patterns can start: a superset (the sticky patterns
 * decide), so that a 1 KB summary costs a few pattern runs instead of six scans of every offset.
 * With the text's tokens (`tokenize`), a plain ASCII word is read from what is known of it instead
 * of letter by letter: inside it every offset is glued to the one before, so only its start (a
 * number, a ticker) and its end (a tail) matter.
 */
function scanText(text: string, tokenized?: TokenizedText): Starts {
  const out: Starts = { prefixes: [], numbers: [], signs: [], tickers: [], suffixEnd: -1, bareEnd: -1, powerEnd: -1, percentEnd: -1 };
  const n = text.length;
  const known = tokenized?.text === text ? tokenized : undefined;
  const ids = known?.ids ?? [];
  const starts = known?.starts ?? [];
  // The next plain word (index `k`, at offset `next`; `n` when none).
  let k = nextPlain(ids, starts, 0, 0);
  let next = k < ids.length ? (starts[k] ?? n) : n;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (i >= next && known !== undefined) {
      if (i > next) {
        k = nextPlain(ids, starts, k, i);
        next = k < ids.length ? (starts[k] ?? n) : n;
      }
      if (i === next) {
        const id = ids[k] ?? 0;
        let facts = WORD_FACTS[id] ?? 0;
        if (facts === 0) {
          facts = wordFactsOf(known.tokens[k] ?? '');
          WORD_FACTS[id] = facts;
        }
        const end = known.ends[k] ?? i + 1;
        if ((facts & OPENS_NUMBER) !== 0 && (i === 0 || !glued(text.charCodeAt(i - 1)))) out.numbers.push(i);
        if (end - i >= 2 && isCapital(c) && isCapital(text.charCodeAt(i + 1))) out.tickers.push(i > 0 && text.charCodeAt(i - 1) === 0x24 ? i - 1 : i);
        const tails = facts >>> TAIL_SHIFT;
        if (tails !== 0) {
          if ((tails & (1 << SUFFIX)) !== 0) out.suffixEnd = end - 1;
          if ((tails & (1 << BARE)) !== 0) out.bareEnd = end - 1;
          if ((tails & (1 << POWER_UNIT)) !== 0) out.powerEnd = end - 1;
          if ((tails & (1 << PER_CENT)) !== 0) out.percentEnd = end - 1;
          if ((tails & (1 << CURRENCY_PREFIX)) !== 0 && (end === n || isSpace(text.charCodeAt(end)))) addPrefix(out.prefixes, end - 3);
        }
        i = end;
        k = nextPlain(ids, starts, k + 1, i);
        next = k < ids.length ? (starts[k] ?? n) : n;
        continue;
      }
    }
    // A space starts and ends nothing: most of what is left between words.
    if (c === 0x20) {
      i += 1;
      continue;
    }
    const free = i === 0 || !glued(text.charCodeAt(i - 1));
    if (c >= 0x30 && c <= 0x39) {
      if (free) out.numbers.push(i);
      i += 1;
      while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i += 1;
      continue;
    }
    let l = letterOf(c);
    if (l !== 0) {
      const start = i;
      let node: WordNode | undefined = WORD_TRIE;
      while (l !== 0) {
        if (node !== undefined) node = node.next[l - 0x61];
        i += 1;
        l = i < n ? letterOf(text.charCodeAt(i)) : 0;
      }
      // A number word is a whole run of letters (or the part before a hyphen).
      if (free && node !== undefined && node.word) out.numbers.push(start);
      if (i - start >= 2 && isCapital(c) && isCapital(text.charCodeAt(start + 1))) {
        out.tickers.push(start > 0 && text.charCodeAt(start - 1) === 0x24 ? start - 1 : start);
      }
      const after = i < n ? text.charCodeAt(i) : -1;
      // A run followed by a digit cannot end a word the patterns want (`(?![\p{L}\p{N}])`).
      if (after >= 0x30 && after <= 0x39) continue;
      if (i - start >= 2) {
        const tails = TAIL_TABLE[tailKey(letterOf(text.charCodeAt(i - 2)), letterOf(text.charCodeAt(i - 1)))];
        if (tails !== undefined) markTails(out, text, start, i, after, tails);
      }
      continue;
    }
    if (c === 0x24) {
      addPrefix(out.prefixes, i - 2);
      addPrefix(out.prefixes, i - 1);
      addPrefix(out.prefixes, i);
      out.suffixEnd = i;
    } else if (c === 0x20ac || c === 0xa3) {
      addPrefix(out.prefixes, i);
      out.suffixEnd = i;
    } else if (c === 0xa5) {
      addPrefix(out.prefixes, i);
    } else if (c === 0x25) {
      out.percentEnd = i;
    } else if (free && (c === 0x2b || c === 0x2d || c === 0x2212 || c === 0x2013)) {
      out.signs.push(i);
    }
    i += 1;
  }
  return out;
}

function isCapital(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

/** Appends an offset to an ascending list, once. */
function addPrefix(list: number[], at: number): void {
  const last = list[list.length - 1];
  if (at >= 0 && (last === undefined || at > last)) list.push(at);
}

/** Records what the run of letters `text[start, end)` ends with (see `TAILS`). */
function markTails(out: Starts, text: string, start: number, end: number, next: number, tails: { words: string[]; kinds: number[] }): void {
  for (let t = 0; t < tails.words.length; t++) {
    if (!endsWith(text, start, end, tails.words[t] ?? '')) continue;
    const kind = tails.kinds[t];
    if (kind === SUFFIX) out.suffixEnd = end - 1;
    else if (kind === BARE) out.bareEnd = end - 1;
    else if (kind === POWER_UNIT) out.powerEnd = end - 1;
    else if (kind === PER_CENT) out.percentEnd = end - 1;
    // The end of a text counts as a space: the title is also read followed by the summary.
    else if (next === -1 || isSpace(next)) addPrefix(out.prefixes, end - 3);
  }
}

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

const WORDS_IN = new RegExp(String.raw`(?<![\p{L}])${WORD}`, 'gu');

function parseWords(text: string): number | undefined {
  const words = text.toLowerCase().match(WORDS_IN) ?? [];
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

/** Two ascending lists as one. */
function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  if (b.length === 0) return a as number[];
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x < y)) {
      out.push(x ?? 0);
      i += 1;
    } else {
      out.push(y);
      j += 1;
    }
  }
  return out;
}

type Groups = Partial<Record<'num' | 'scale' | 'cur' | 'pre' | 'of' | 'unit' | 'sign', string>>;

/** The figures found so far in one text, and the ranges they cover (a later pattern may not overlap them). */
interface Found {
  text: string;
  list: Highlight[];
  spans: number[];
}

function isFree(found: Found, start: number, end: number): boolean {
  const { spans } = found;
  for (let i = 0; i < spans.length; i += 2) if (end > (spans[i] ?? 0) && start < (spans[i + 1] ?? 0)) return false;
  return true;
}

function add(found: Found, h: Highlight, length: number): void {
  found.list.push(h);
  found.spans.push(h.start, h.start + length);
}

/** Turns one match of a money, power or percent pattern into a figure (the rules of `extractHighlights`). */
function figureOf(re: RegExp, g: Groups, start: number, written: string): Highlight | undefined {
  const n = parseNumber(g.num ?? '');
  if (n === undefined) return undefined;
  if (re === MONEY_PREFIX || re === MONEY_SUFFIX) {
    if (!/\d/.test(g.num ?? '') && g.scale === undefined) return undefined;
    const frenchOf = re === MONEY_SUFFIX && g.of !== undefined && g.of.toLowerCase() !== 'of';
    const unit = currencyOf((re === MONEY_PREFIX ? g.pre : g.cur) ?? '');
    return { kind: 'money', text: written, value: round(n * scaleOf(g.scale, frenchOf)), ...(unit ? { unit } : {}), start };
  }
  if (re === MONEY_BARE) return { kind: 'money', text: written, value: round(n * scaleOf(g.scale, false)), start };
  if (re === POWER) {
    const unit = (g.unit ?? '').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
    const factor = POWER_GW[unit.charAt(0)] ?? 1;
    return { kind: 'power', text: written, value: round(n * factor), unit: 'GW', start };
  }
  const negative = g.sign !== undefined && /[-−–]/.test(g.sign);
  return { kind: 'percent', text: written, value: negative ? -n : n, unit: '%', start };
}

/**
 * What one pattern gave at each offset it was tried at in a text, in the order tried: the joined
 * text (`extractItemHighlights`) reuses what the summary gave instead of running the pattern again.
 */
interface Trace {
  at: number[];
  /** What the pattern gave at each offset of `at` (null: no match there). */
  matches: Array<RegExpExecArray | null>;
  /** The figure made of each match; null when it was not made (no match, or it overlapped another). */
  figures: Array<Highlight | undefined | null>;
}

/**
 * A text's traces, one per pattern of `each` in `highlightsAt` order, and the offset at which the
 * traced text starts in the text that reads them.
 */
interface Replay {
  traces: readonly Trace[];
  shift: number;
}

const newTrace = (): Trace => ({ at: [], matches: [], figures: [] });

/**
 * What a global scan of `re` over the text would find, trying only the offsets `at` lists
 * (ascending, a superset of where a match can start) up to `limit`. With `record`, the matches
 * are written down; with `replay`, offsets at or after `replay.shift` reuse what a trace says the
 * pattern gave there in the text that starts at that offset. That is the same answer: a sticky
 * pattern reads from its start offset rightwards, and what lies left of the offset is read only
 * by the lookbehind that opens the pattern, which a space passes exactly as the start of a text.
 */
function each(found: Found, re: RegExp, at: readonly number[], limit: number, record?: Trace, replay?: Trace, shift = 0): void {
  const { text } = found;
  let from = 0;
  let r = 0;
  for (const p of at) {
    if (p > limit) break;
    if (p < from) continue;
    let m: RegExpExecArray | null | undefined;
    let index = 0;
    let made: Highlight | undefined | null = null;
    if (replay !== undefined && p >= shift) {
      const q = p - shift;
      while (r < replay.at.length && (replay.at[r] ?? 0) < q) r += 1;
      if (replay.at[r] === q) {
        m = replay.matches[r];
        // `undefined` here is a figure made and found wanting, not a missing entry (`r` is in range).
        made = replay.figures[r] as Highlight | undefined | null;
        if (m === null) continue;
        if (m !== undefined) index = m.index + shift;
      }
    }
    if (m === undefined) {
      re.lastIndex = p;
      m = re.exec(text);
      if (record !== undefined) {
        record.at.push(p);
        record.matches.push(m);
        record.figures.push(null);
      }
      if (m === null) continue;
      index = m.index;
    }
    if (m === null || m === undefined) continue;
    const whole = m[0];
    from = index + whole.length;
    const written = whole.trimEnd();
    const start = index + (whole.length - whole.trimStart().length);
    const free = isFree(found, start, start + written.length);
    let h: Highlight | undefined;
    if (free) {
      if (made === null) h = figureOf(re, (m.groups ?? {}) as Groups, start, written.trim());
      else h = made === undefined ? undefined : { ...made, start: made.start + shift };
    }
    if (record !== undefined && free) record.figures[record.figures.length - 1] = h;
    if (h !== undefined) add(found, h, written.length);
  }
}

/**
 * The figures of a text, given where the patterns can start in it (`scanText`). `record` traces
 * each pattern's matches (see `Trace`); `replay` reuses another text's traces (see `each`).
 */
function highlightsAt(text: string, at: Starts, record?: readonly Trace[], replay?: Replay): Highlight[] {
  const found: Found = { text, list: [], spans: [] };
  const shift = replay?.shift ?? 0;
  each(found, MONEY_PREFIX, at.prefixes, Infinity, record?.[0], replay?.traces[0], shift);
  each(found, MONEY_SUFFIX, at.numbers, at.suffixEnd, record?.[1], replay?.traces[1], shift);
  each(found, MONEY_BARE, at.numbers, at.bareEnd, record?.[2], replay?.traces[2], shift);
  each(found, POWER, at.numbers, at.powerEnd, record?.[3], replay?.traces[3], shift);
  each(found, PERCENT, mergeSorted(at.numbers, at.signs), at.percentEnd, record?.[4], replay?.traces[4], shift);
  for (const p of at.tickers) {
    TICKER.lastIndex = p;
    const m = TICKER.exec(text);
    if (m === null) continue;
    const symbol = m[2] ?? '';
    if (!KNOWN_TICKERS.has(symbol) || !isFree(found, m.index, m.index + m[0].length)) continue;
    add(found, { kind: 'ticker', text: m[0], unit: symbol, start: m.index }, m[0].length);
  }
  return found.list.sort((a, b) => a.start - b.start);
}

/**
 * Finds the money amounts, power figures, percentages and known tickers of a text, in text
 * order, without overlaps (`$100 billion` is one money figure, never also a bare amount).
 * Number words count only before a scale or a unit (« dix gigawatts », "one billion dollars"), so
 * an article « un » is never a number.
 */
export function extractHighlights(text: string): Highlight[] {
  return highlightsAt(text, scanText(text));
}

/** `extractHighlights` of an item's title, of its summary, and of both (`${title} ${summary}`). */
export interface ItemHighlights {
  title: Highlight[];
  summary: Highlight[];
  /** What the alert shows. */
  combined: Highlight[];
}

/** A limit of the joined text: the second text's, moved by `shift`, else the first's. */
function lastOf(a: number, b: number, shift: number): number {
  return b >= 0 ? b + shift : a;
}

/** The offsets of `b` moved by `shift`, after those of `a`. */
function shifted(a: readonly number[], b: readonly number[], shift: number): number[] {
  const out = a.slice();
  for (const x of b) out.push(x + shift);
  return out;
}

/**
 * `extractHighlights` of the title, the summary and both joined by a space, scanning each text
 * once: where a pattern can start depends only on the characters around, and the space between
 * them starts or ends nothing a text's own start or end would not (see `scanText`). Pass the
 * item's tokens when at hand (`analyzeItem` has them): the scan then skips over plain words.
 */
export function extractItemHighlights(
  title: string,
  summary: string,
  tokenized?: { readonly title: TokenizedText; readonly summary: TokenizedText },
): ItemHighlights {
  const t = scanText(title, tokenized?.title);
  const s = scanText(summary, tokenized?.summary);
  const shift = title.length + 1;
  const both: Starts = {
    prefixes: shifted(t.prefixes, s.prefixes, shift),
    numbers: shifted(t.numbers, s.numbers, shift),
    signs: shifted(t.signs, s.signs, shift),
    tickers: shifted(t.tickers, s.tickers, shift),
    suffixEnd: lastOf(t.suffixEnd, s.suffixEnd, shift),
    bareEnd: lastOf(t.bareEnd, s.bareEnd, shift),
    powerEnd: lastOf(t.powerEnd, s.powerEnd, shift),
    percentEnd: lastOf(t.percentEnd, s.percentEnd, shift),
  };
  // The joined text's summary part reads what the summary's scan found (see `each`).
  const traces = [newTrace(), newTrace(), newTrace(), newTrace(), newTrace()];
  const inSummary = highlightsAt(summary, s, traces);
  return { title: highlightsAt(title, t), summary: inSummary, combined: highlightsAt(`${title} ${summary}`, both, undefined, { traces, shift }) };
}
