// Feed text to plain, bounded text and feed links to absolute URLs. Pure; every pattern scans
// forward only, so hostile markup stays linear.

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', sbquo: '‚', bdquo: '„',
  laquo: '«', raquo: '»', bull: '•', middot: '·', copy: '©', reg: '®', trade: '™', euro: '€', pound: '£',
  yen: '¥', cent: '¢', deg: '°', times: '×', divide: '÷', shy: '', zwj: '', zwnj: '', thinsp: ' ', ensp: ' ', emsp: ' ',
};

/** Decodes numeric and common named character references; unknown ones stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[ref] ?? NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

// Every pattern below scans forward only (no `[^>]*` that can run past the next `<`), so hostile
// markup such as thousands of unclosed `<a` or `<!--` stays linear.
const BLOCK_TAG = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|hr|img|figure|figcaption|section|article|header|footer)\b[^<>]*>/gi;
const ANY_TAG = /<\/?[a-zA-Z][^<>]*>/g;

/** Removes each `open`…`close` block (and everything after an unclosed one) in one forward pass. */
function removeBlocks(text: string, open: RegExp, close: RegExp): string {
  let out = '';
  let pos = 0;
  for (;;) {
    open.lastIndex = pos;
    const start = open.exec(text);
    if (start === null) return out + text.slice(pos);
    out += `${text.slice(pos, start.index)} `;
    close.lastIndex = start.index + start[0].length;
    const end = close.exec(text);
    if (end === null) return out;
    pos = end.index + end[0].length;
  }
}

// Control characters are exactly what these match.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B\uFEFF]/g;
/**
 * A character the two replaces in `plainText` would change: INVISIBLE plus `\s` minus the space,
 * spelt out (a single class scans faster than `[…]|[^\S ]`). Two spaces in a row are the other
 * thing they change.
 */
// eslint-disable-next-line no-control-regex
const UNCLEAN_CHARACTER = /[\u0000-\u001F\u007F\u00A0\u1680\u2000-\u200B\u2028\u2029\u202F\u205F\u3000\uFEFF]/;

/** Markup to one line of plain text: tags stripped, entities decoded, whitespace collapsed. */
export function plainText(markup: string | null | undefined): string {
  if (markup === null || markup === undefined || markup === '') return '';
  let text = markup;
  // Each step below is the identity on text without '<' (or '&', or dirty whitespace): skipped then.
  if (text.includes('<')) {
    if (text.includes('<!--')) text = removeBlocks(text, /<!--/g, /-->/g);
    text = removeBlocks(text, /<(?:script|style)\b/gi, /<\/(?:script|style)\s*>/gi);
    text = text.replace(BLOCK_TAG, ' ').replace(ANY_TAG, '');
  }
  if (text.includes('&')) text = decodeEntities(text);
  // `\s+` → ' ', without rewriting every single space (a match each) to itself.
  if (text.includes('  ') || UNCLEAN_CHARACTER.test(text)) text = text.replace(INVISIBLE, '').replace(/\s{2,}|[^\S ]/g, ' ');
  return text.trim();
}

/** Cuts `text` to at most `max` UTF-16 units on a word boundary, ending with '…' when cut; never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  const lastSpace = head.lastIndexOf(' ');
  const cut = lastSpace > max / 2 ? head.slice(0, lastSpace) : head;
  return `${cut.trimEnd()}…`;
}

/** `raw` resolved against the given bases in order, kept only when it ends up absolute http(s). */
export function absoluteHttpUrl(raw: string | null | undefined, ...bases: (string | null | undefined)[]): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (trimmed === '') return undefined;
  for (const base of [undefined, ...bases]) {
    if (base === null) continue;
    // Without a base, a URL without ':' has no scheme and cannot parse: spare the exception.
    if (base === undefined && !trimmed.includes(':')) continue;
    try {
      const url = base === undefined ? new URL(trimmed) : new URL(trimmed, base);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
    } catch {
      // relative and no usable base yet: try the next one
    }
  }
  return undefined;
}
