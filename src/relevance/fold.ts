// Text folding: the one normalisation every matcher of wirewatch shares. Terms, topic
// dictionaries and items go through the same function, so "word boundary" becomes plain
// token-sequence equality: "ETH" never matches inside "method", "H200" never matches "H2000".

/** A token of a text and where it was written, so a match can be shown as the author wrote it. */
export interface TokenSpan {
  /** The folded token: lower-case letters and digits only, never empty. */
  token: string;
  /** Offset of its first UTF-16 code unit in the original text. */
  start: number;
  /** Offset just past its last UTF-16 code unit (combining marks included) in the original text. */
  end: number;
}

/**
 * Letters that Unicode decomposition does not split into a base letter plus marks, spelled the
 * way French and English readers would type them.
 */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  œ: 'oe',
  æ: 'ae',
  ß: 'ss',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  ı: 'i',
  þ: 'th',
};

const MARK = /^\p{M}$/u;
/** Soft hyphen, zero-width joiners and other invisible format characters join instead of splitting. */
const FORMAT = /^\p{Cf}$/u;
const ALNUM = /^[\p{L}\p{N}]$/u;

/** Folded form of each non-ASCII code point met so far; text is small, the alphabet is smaller. */
const cache = new Map<number, string>();

/**
 * Folds one non-ASCII character. The result holds folded letters/digits, `' '` where the
 * character separates words, and is `''` for marks and format characters, which join.
 */
function foldNonAscii(cp: number, ch: string): string {
  const known = cache.get(cp);
  if (known !== undefined) return known;
  let out = '';
  if (MARK.test(ch) || FORMAT.test(ch)) {
    out = '';
  } else {
    let lower = '';
    for (const c of ch.toLowerCase()) lower += SPECIAL_LETTERS[c] ?? c;
    // NFKD rather than NFD: it also unfolds ligatures (ﬁ), full-width forms and sub/superscripts (H₂O).
    for (const c of lower.normalize('NFKD')) {
      if (MARK.test(c) || FORMAT.test(c)) continue;
      if (ALNUM.test(c)) {
        const l = c.toLowerCase();
        out += SPECIAL_LETTERS[l] ?? l;
      } else {
        out += ' ';
      }
    }
  }
  cache.set(cp, out);
  return out;
}

/**
 * A text split into folded tokens (see `tokenSpans`), as parallel arrays: what the matchers of one
 * item share, so the item is folded once however many of them read it.
 */
export interface TokenizedText {
  /** The original text. */
  readonly text: string;
  /** The folded tokens, never empty. */
  readonly tokens: readonly string[];
  /** `starts[i]`: offset of the first UTF-16 code unit of token i in `text`. */
  readonly starts: readonly number[];
  /** `ends[i]`: offset just past the last UTF-16 code unit of token i (combining marks included). */
  readonly ends: readonly number[];
  /**
   * `ids[i]`: for a token written as plain ASCII letters and digits (`text[starts[i], ends[i])`
   * is the token up to case), a number that names that word for the life of the process (dense,
   * below `WORD_IDS`), so readers can keep per-word facts in arrays; else -1.
   */
  readonly ids: readonly number[];
}

/** Tokens at least this long are copied out of the text rather than sliced (see `copyOf`). */
const SLICE_MIN = 13;

/**
 * A slice of `text` that does not keep `text` alive: tokens end up in story signatures that
 * outlive the item by days, and V8 shares the parent string of slices this long.
 */
function copyOf(text: string, start: number, end: number): string {
  return end - start < SLICE_MIN ? text.slice(start, end) : ` ${text.slice(start, end)}`.slice(1);
}

/**
 * Folded ASCII words met so far, by hash of their lower-case letters (open addressing). The words
 * of news are few and repeat: a known word costs a comparison instead of a new string, and its
 * hash is already computed when the matchers look it up. Full, it stops learning, never forgets.
 * The table starts small and doubles as it fills (at most half full), so the few thousand words
 * of a day's news sit in a few dozen KB that stay in cache between items.
 */
const INTERN_MAX_SIZE = 1 << 16;
const INTERN_MAX = INTERN_MAX_SIZE >> 1;
const INTERN_LONGEST = 40;
let internSize = 1 << 12;
let interned: Array<string | undefined> = new Array<string | undefined>(internSize).fill(undefined);
/**
 * Per slot, side by side so one cache line serves both: the hash of its word (`2 * slot`), checked
 * before the word is read, and its id (`2 * slot + 1`). Ids are dense (0, 1, 2 … in order of first
 * sight), so arrays indexed by them stay small.
 */
let slotFacts = new Int32Array(2 * internSize);
let internedCount = 0;
/** The id of the word `wordOf` last returned, -1 when it could not be kept. */
let lastId = -1;

/** How many ids `TokenizedText.ids` can hold: arrays of per-word facts need at most this length. */
export const WORD_IDS = INTERN_MAX;

/** Doubles the intern table, putting each word back at its hash. */
function growInterned(): void {
  const words = interned;
  const facts = slotFacts;
  internSize *= 2;
  interned = new Array<string | undefined>(internSize).fill(undefined);
  slotFacts = new Int32Array(2 * internSize);
  for (let old = 0; old < words.length; old++) {
    const word = words[old];
    if (word === undefined) continue;
    const hash = facts[2 * old] ?? 0;
    let slot = hash & (internSize - 1);
    while (interned[slot] !== undefined) slot = (slot + 1) & (internSize - 1);
    interned[slot] = word;
    slotFacts[2 * slot] = hash;
    slotFacts[2 * slot + 1] = facts[2 * old + 1] ?? -1;
  }
}

/** The lower-case form of `text[start, end)` (ASCII letters and digits whose hash is `hash`), interned when possible. */
function wordOf(text: string, start: number, end: number, hash: number, upper: boolean): string {
  const length = end - start;
  const mask = internSize - 1;
  let slot = hash & mask;
  for (let known = interned[slot]; known !== undefined; known = interned[slot]) {
    if (slotFacts[2 * slot] === hash && known.length === length) {
      let k = 0;
      while (k < length && (text.charCodeAt(start + k) | 0x20) === known.charCodeAt(k)) k += 1;
      if (k === length) {
        lastId = slotFacts[2 * slot + 1] ?? -1;
        return known;
      }
    }
    slot = (slot + 1) & mask;
  }
  return newWord(text, start, end, hash, upper, slot);
}

/** `wordOf` for a word not met yet (`slot` is the free slot its hash led to): kept apart so the lookup stays small. */
function newWord(text: string, start: number, end: number, hash: number, upper: boolean, free: number): string {
  const length = end - start;
  const piece = copyOf(text, start, end);
  const word = upper ? piece.toLowerCase() : piece;
  lastId = -1;
  // Words, not whatever a hostile feed strings together: a long run is not kept.
  if (internedCount < INTERN_MAX && length <= INTERN_LONGEST) {
    let slot = free;
    if (2 * (internedCount + 1) > internSize) {
      growInterned();
      slot = hash & (internSize - 1);
      while (interned[slot] !== undefined) slot = (slot + 1) & (internSize - 1);
    }
    interned[slot] = word;
    slotFacts[2 * slot] = hash;
    slotFacts[2 * slot + 1] = internedCount;
    lastId = internedCount;
    internedCount += 1;
  }
  return word;
}

/** Per ASCII code: 0 separates words, 1 a lower-case letter or digit, 2 a capital. */
const ASCII_KIND = new Uint8Array(0x80);
for (let c = 0; c < 0x80; c++) ASCII_KIND[c] = c >= 0x41 && c <= 0x5a ? 2 : (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) ? 1 : 0;

/**
 * Where `tokenize` writes a text's tokens before copying them out at their exact length: filling
 * arrays that already have room, then one `slice` each, costs less than growing four arrays push by
 * push. Shared by every call (tokenize runs to completion, never re-entered); let go when a long
 * text made them big (short of that, they keep at most the last few thousand tokens alive).
 */
const SCRATCH_KEEP = 4096;
let scratchTokens: string[] = [];
let scratchStarts: number[] = [];
let scratchEnds: number[] = [];
let scratchIds: number[] = [];
let scratchCount = 0;

function emit(token: string, start: number, end: number, id: number): void {
  const k = scratchCount;
  if (k < scratchTokens.length) {
    scratchTokens[k] = token;
    scratchStarts[k] = start;
    scratchEnds[k] = end;
    scratchIds[k] = id;
  } else {
    scratchTokens.push(token);
    scratchStarts.push(start);
    scratchEnds.push(end);
    scratchIds.push(id);
  }
  scratchCount = k + 1;
}

/**
 * Splits a text into folded tokens with their offsets (see `tokenSpans`). Runs of ASCII letters
 * and digits, nearly all of any English or French text, are read whole (see `interned`); the rest
 * goes through the per-character fold.
 */
export function tokenize(text: string): TokenizedText {
  scratchCount = 0;
  let token = '';
  let start = 0;
  let end = 0;
  // The id of `token` while it is one plain ASCII word (see `TokenizedText.ids`), else -1.
  let id = -1;
  const n = text.length;
  for (let i = 0; i < n; ) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      let kind = ASCII_KIND[c] ?? 0;
      if (kind === 0) {
        if (token !== '') {
          emit(token, start, end, id);
          token = '';
        }
        i += 1;
        continue;
      }
      // A run of ASCII letters and digits, read whole, with the FNV-1a hash of its lower-case form.
      if (token === '') start = i;
      const run = i;
      let hash = 0x811c9dc5;
      let upper = false;
      for (;;) {
        // Setting bit 5 lower-cases a capital and leaves letters and digits as they are.
        hash = Math.imul(hash ^ (c | 0x20), 0x01000193);
        if (kind === 2) upper = true;
        i += 1;
        if (i >= n) break;
        c = text.charCodeAt(i);
        kind = c < 0x80 ? (ASCII_KIND[c] ?? 0) : 0;
        if (kind === 0) break;
      }
      if (token === '') {
        // The common case: a plain word.
        token = wordOf(text, run, i, hash, upper);
        id = lastId;
      } else {
        token += wordOf(text, run, i, hash, upper);
        id = -1;
      }
      end = i;
      if (i < n && c < 0x80) {
        // An ASCII separator ends the token.
        emit(token, start, end, id);
        token = '';
        i += 1;
      }
      continue;
    }
    const cp = text.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    const folded = foldNonAscii(cp, width === 1 ? (text[i] ?? '') : text.slice(i, i + width));
    if (folded === '') {
      // A combining mark or an invisible joiner stays inside the current token.
      if (token !== '') {
        end = i + width;
        id = -1;
      }
    } else {
      for (let f = 0; f < folded.length; f++) {
        const ch = folded[f] ?? '';
        if (ch === ' ') {
          if (token !== '') emit(token, start, end, id);
          token = '';
        } else {
          if (token === '') start = i;
          token += ch;
          end = i + width;
          id = -1;
        }
      }
    }
    i += width;
  }
  if (token !== '') emit(token, start, end, id);
  const count = scratchCount;
  const out: TokenizedText = {
    text,
    tokens: scratchTokens.slice(0, count),
    starts: scratchStarts.slice(0, count),
    ends: scratchEnds.slice(0, count),
    ids: scratchIds.slice(0, count),
  };
  if (scratchTokens.length > SCRATCH_KEEP) {
    scratchTokens = [];
    scratchStarts = [];
    scratchEnds = [];
    scratchIds = [];
  }
  return out;
}

/**
 * Splits a text into folded tokens with their offsets in the original text. Folding: lower-case,
 * accents removed, œ→oe, æ→ae, ß→ss, and every run of characters that are not letters or digits
 * (spaces, punctuation, typographic apostrophes and quotes, dashes, `$`) is a boundary.
 */
export function tokenSpans(text: string): TokenSpan[] {
  const t = tokenize(text);
  return t.tokens.map((token, i) => ({ token, start: t.starts[i] ?? 0, end: t.ends[i] ?? 0 }));
}

/** The folded tokens of a text (see `tokenSpans`), never an empty token. */
export function tokens(text: string): string[] {
  return tokenize(text).tokens as string[];
}

/** The folded text: its tokens joined by single spaces, `''` when it has no letter or digit. */
export function fold(text: string): string {
  return tokens(text).join(' ');
}

/**
 * Put between the title's and the summary's tokens by `itemTokens`. Folding never produces a
 * token holding a space, so no phrase can match across it.
 */
export const PART_BOUNDARY = ' ';

/**
 * The tokens of a news item as watch-term matching sees them: title, a boundary no phrase can
 * cross, then summary. Computed once per item and shared by every channel; pass the item's
 * `tokenize`d title and summary when they are at hand (`analyzeItem` has them) to skip folding again.
 */
export function itemTokens(
  item: { readonly title: string; readonly summary: string },
  tokenized?: { readonly title: TokenizedText; readonly summary: TokenizedText },
): string[] {
  const title = tokenized?.title.text === item.title ? tokenized.title.tokens : tokens(item.title);
  const summary = tokenized?.summary.text === item.summary ? tokenized.summary.tokens : tokens(item.summary);
  return [...title, PART_BOUNDARY, ...summary];
}
