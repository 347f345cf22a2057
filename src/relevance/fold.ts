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
 * Splits a text into folded tokens with their offsets in the original text. Folding: lower-case,
 * accents removed, œ→oe, æ→ae, ß→ss, and every run of characters that are not letters or digits
 * (spaces, punctuation, typographic apostrophes and quotes, dashes, `$`) is a boundary.
 */
export function tokenSpans(text: string): TokenSpan[] {
  const spans: TokenSpan[] = [];
  let token = '';
  let start = 0;
  let end = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    let folded: string;
    if (cp < 0x80) {
      if (cp >= 0x61 && cp <= 0x7a) folded = text[i] ?? '';
      else if (cp >= 0x30 && cp <= 0x39) folded = text[i] ?? '';
      else if (cp >= 0x41 && cp <= 0x5a) folded = String.fromCharCode(cp + 0x20);
      else folded = ' ';
    } else {
      folded = foldNonAscii(cp, text.slice(i, i + width));
    }
    if (folded === '') {
      // A combining mark or an invisible joiner stays inside the current token.
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

/** The folded tokens of a text (see `tokenSpans`), never an empty token. */
export function tokens(text: string): string[] {
  return tokenSpans(text).map((s) => s.token);
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
 * cross, then summary. Computed once per item and shared by every channel.
 */
export function itemTokens(item: { readonly title: string; readonly summary: string }): string[] {
  return [...tokens(item.title), PART_BOUNDARY, ...tokens(item.summary)];
}
