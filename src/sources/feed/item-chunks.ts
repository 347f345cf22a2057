// Where the items of an XML feed are, without parsing it: the span of each `<item>` (RSS
// 0.9x/2.0, RDF) or `<entry>` (Atom) element in the decoded text, so that a changed feed parses
// only the items whose text is new (incremental-parse.ts). It reads only ASCII markup, so it runs
// as well on the bytes of a UTF-8 or single-byte body read one per character (latin1), where its
// spans are byte offsets. Hand-written: no parser hands out the source spans of elements without
// building the whole document, which is the cost we avoid.
// Conservative: it follows the XML grammar only as far as it must (comments, CDATA, processing
// instructions, quoted attribute values, nesting) and answers undefined for anything it is not
// sure @rowanmanning/feed-parser reads the same way. A DOCTYPE (its entities can change what any
// text means), items that are prefixed or differently cased (the library matches lower-cased
// local names), items anywhere but where the library looks for them, a second channel,
// mismatched or unterminated markup, a self-closing item, and anything that is not one
// rss/RDF/feed document element (JSON, a feed inside an HTML page) all answer undefined.

/** The items of a feed as spans of its text. */
export interface ItemChunks {
  /** Item `i` is `text.slice(starts[i], ends[i])`, from its `<` to its end tag's `>`, in document order. */
  starts: number[];
  ends: number[];
  /**
   * The start tags of the elements around the items (the root, and the channel for RSS): their
   * namespace declarations and xml:base shape what an item's text means.
   */
  context: string;
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const COLON = 0x3a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** ASCII name characters only: a feed with other element names is parsed whole. */
function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === COLON;
}

/** Whether `text` at `at` starts with the `length` characters at `from` (an end tag's name against its start tag's). */
function sameName(text: string, at: number, from: number, length: number): boolean {
  if (at + length > text.length) return false;
  for (let m = 0; m < length; m++) if (text.charCodeAt(at + m) !== text.charCodeAt(from + m)) return false;
  return true;
}

function onlySpace(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(text.charCodeAt(i))) return false;
  return true;
}

/** Whether `text` at `at` is `lower` in any case (`c | 0x20` lower-cases an ASCII letter and no name character turns into one). */
function sameIgnoringCase(text: string, at: number, lower: string): boolean {
  for (let m = 0; m < lower.length; m++) if ((text.charCodeAt(at + m) | 0x20) !== lower.charCodeAt(m)) return false;
  return true;
}

/**
 * The local name `text[from, to)` lower-cased when it is one the library looks for (item, entry,
 * channel, rss, rdf, feed), else ''. Read in place: most tags of a feed have other names, and
 * slicing and lower-casing each name costs more than the rest of the split.
 */
function interestingName(text: string, from: number, to: number): string {
  switch (to - from) {
    case 3:
      return sameIgnoringCase(text, from, 'rss') ? 'rss' : sameIgnoringCase(text, from, 'rdf') ? 'rdf' : '';
    case 4:
      return sameIgnoringCase(text, from, 'item') ? 'item' : sameIgnoringCase(text, from, 'feed') ? 'feed' : '';
    case 5:
      return sameIgnoringCase(text, from, 'entry') ? 'entry' : '';
    case 7:
      return sameIgnoringCase(text, from, 'channel') ? 'channel' : '';
    default:
      return '';
  }
}

/**
 * Index just past the `>` of the start tag whose name ends at `from`, or -1 when the tag is not
 * plainly well-formed (a `<` inside it, an unterminated quote, no `>`).
 */
function startTagEnd(text: string, from: number): number {
  // `<` is allowed nowhere in a tag, not even in attribute values (a parser may read such a
  // tag either way): the tag ends before the next one. One pass over the tag alone.
  const n = text.length;
  for (let k = from; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c === GT) return k + 1;
    if (c === LT) return -1;
    if (c === QUOTE || c === APOSTROPHE) {
      let close = k + 1;
      while (close < n && text.charCodeAt(close) !== c) {
        if (text.charCodeAt(close) === LT) return -1;
        close++;
      }
      if (close === n) return -1;
      k = close;
    }
  }
  return -1;
}

/**
 * Finds the items of an XML feed. Answers undefined for anything it is not sure of (see the top
 * of this file); the caller then parses the whole text. Linear in the text's length.
 */
export function splitItemChunks(text: string): ItemChunks | undefined {
  const n = text.length;
  const starts: number[] = [];
  const ends: number[] = [];
  /** Where the name of each open element starts, and its length (the stack's height is the depth). */
  const openAt: number[] = [];
  const openLength: number[] = [];
  let context = '';
  let itemName = '';
  let rootDone = false;
  let channels = 0;
  /** The element at depth 1 is the (first) channel. */
  let inChannel = false;
  let rootItems = 0;
  let channelItems = 0;
  /** Depth of the item being read, or -1 between items. */
  let itemDepth = -1;
  let i = 0;

  for (;;) {
    const lt = text.indexOf('<', i);
    // Outside the root only white space may stand between markup.
    if (openAt.length === 0 && !onlySpace(text, i, lt < 0 ? n : lt)) return undefined;
    if (lt < 0) break;
    const next = text.charCodeAt(lt + 1);

    if (next === BANG) {
      if (text.startsWith('<!--', lt)) {
        const end = text.indexOf('-->', lt + 4);
        if (end < 0) return undefined;
        i = end + 3;
      } else if (text.startsWith('<![CDATA[', lt) && openAt.length > 0) {
        const end = text.indexOf(']]>', lt + 9);
        if (end < 0) return undefined;
        i = end + 3;
      } else {
        // A DOCTYPE (entities), a stray declaration, CDATA outside the root.
        return undefined;
      }
      continue;
    }

    if (next === QUESTION) {
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) return undefined;
      i = end + 2;
      continue;
    }

    if (next === SLASH) {
      const gt = text.indexOf('>', lt + 2);
      const at = openAt.pop();
      const length = openLength.pop() ?? 0;
      if (gt < 0 || at === undefined || !sameName(text, lt + 2, at, length) || !onlySpace(text, lt + 2 + length, gt)) return undefined;
      const depth = openAt.length;
      if (depth === itemDepth) {
        ends.push(gt + 1);
        itemDepth = -1;
      }
      if (depth === 1 && inChannel) inChannel = false;
      if (depth === 0) rootDone = true;
      i = gt + 1;
      continue;
    }

    // A start tag.
    if (!isNameStart(next)) return undefined;
    let j = lt + 2;
    /** Where the local name starts: after the first colon. */
    let localAt = lt + 1;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (!isNameChar(c)) break;
      if (c === COLON && localAt === lt + 1) localAt = j + 1;
    }
    const after = text.charCodeAt(j);
    if (!(isSpace(after) || after === GT || after === SLASH)) return undefined;
    const gt = startTagEnd(text, j);
    if (gt < 0) return undefined;
    const selfClosing = text.charCodeAt(gt - 2) === SLASH;
    const local = interestingName(text, localAt, j);
    const depth = openAt.length;

    if (depth === 0) {
      if (rootDone) return undefined;
      if (local === 'feed') itemName = 'entry';
      else if (local === 'rss' || local === 'rdf') itemName = 'item';
      else return undefined;
      context = text.slice(lt, gt);
    } else if (itemName === 'item' && depth === 1 && local === 'channel') {
      // The library reads the first channel only.
      if (++channels > 1) return undefined;
      inChannel = !selfClosing;
      context += text.slice(lt, gt);
    } else if (local === itemName) {
      const slot = itemDepth < 0 && (depth === 1 || (depth === 2 && inChannel && itemName === 'item'));
      if (!slot || j - lt - 1 !== itemName.length || !text.startsWith(itemName, lt + 1) || selfClosing) return undefined;
      if (depth === 1) rootItems++;
      else channelItems++;
      // The library lists a channel's items before the root's: two kinds would not be in document order.
      if (rootItems > 0 && channelItems > 0) return undefined;
      starts.push(lt);
      itemDepth = depth;
    }
    if (!selfClosing) {
      openAt.push(lt + 1);
      openLength.push(j - lt - 1);
    }
    else if (depth === 0) rootDone = true;
    i = gt;
  }

  if (!rootDone || openAt.length > 0 || starts.length !== ends.length) return undefined;
  return { starts, ends, context };
}
