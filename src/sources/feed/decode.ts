// Bytes to text for feeds. No feed parser decodes legacy encodings by itself, so this is ours:
// BOM first, then the HTTP charset, then the XML declaration, then UTF-8; a real codec for each.
import { isAscii, isUtf8, transcode } from 'node:buffer';
import iconv from 'iconv-lite';

/** Labels the WHATWG Encoding Standard reads as windows-1252 (what servers labelled Latin-1 really send). */
const WINDOWS_1252_ALIASES = new Set(['iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'l1', 'us-ascii', 'ascii', 'cp819', 'ibm819']);

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** Whether iconv-lite would decode `label` with its UTF-8 codec (its own canonical form of the name). */
function isUtf8Label(label: string): boolean {
  const canonical = label.toLowerCase().replace(/:\d{4}$|[^0-9a-z]/g, '');
  return canonical === 'utf8' || canonical === 'unicode11utf8';
}

/**
 * UTF-8 bytes to text, the same text iconv-lite gives (replacement characters included), a
 * leading BOM kept. V8's own UTF-8 decoder is slow on non-ASCII text; ICU's transcode to UTF-16
 * is 2–3 times faster and decodes valid UTF-8 identically, so it takes the valid bodies.
 */
function decodeUtf8(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii(buffer)) return buffer.toString('latin1');
  if (typeof transcode === 'function' && isUtf8(buffer)) return transcode(buffer, 'utf8', 'utf16le').toString('utf16le');
  return buffer.toString('utf8');
}

/** The encoding the first bytes prove: a BOM, or the UTF-16/32 pattern of `<` without one. */
function sniffBytes(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return 'utf-8';
  if (startsWith(bytes, [0x00, 0x00, 0xfe, 0xff])) return 'utf-32be';
  if (startsWith(bytes, [0xff, 0xfe, 0x00, 0x00])) return 'utf-32le';
  if (startsWith(bytes, [0xfe, 0xff])) return 'utf-16be';
  if (startsWith(bytes, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x3c])) return 'utf-32be';
  if (startsWith(bytes, [0x3c, 0x00, 0x00, 0x00])) return 'utf-32le';
  if (startsWith(bytes, [0x3c, 0x00, 0x3f, 0x00])) return 'utf-16le';
  if (startsWith(bytes, [0x00, 0x3c, 0x00, 0x3f])) return 'utf-16be';
  return undefined;
}

/** The `charset` parameter of a Content-Type header. */
function charsetOf(contentType: string | undefined): string | undefined {
  const match = contentType === undefined ? null : /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1];
}

/** The `encoding` of the XML declaration, read as ASCII from the first bytes. */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString('latin1');
  return /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
}

/** A label iconv-lite can decode an ASCII-compatible body with, or undefined. */
function usableLabel(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  const normalized = label.trim().toLowerCase();
  // A UTF-16/32 label without a BOM or the matching byte pattern is a lie: the bytes are 8-bit.
  if (/^(utf-?|ucs-?)(16|32|2|4)/.test(normalized)) return undefined;
  if (WINDOWS_1252_ALIASES.has(normalized)) return 'windows-1252';
  return iconv.encodingExists(normalized) ? normalized : undefined;
}

/** Where the encoding used to decode a body came from, in the order they are tried. */
export type EncodingSource = 'bom' | 'http' | 'xml' | 'default';

/** A decoded body and how it was decoded (for logs and the `feed test` command). */
export interface DecodedFeed {
  /** The body as text, never starting with a BOM. */
  text: string;
  /** The codec label used, lower-case (`utf-8`, `windows-1252`, `utf-16le` …). */
  encoding: string;
  encodingSource: EncodingSource;
}

/** The codec a body is decoded with, and what decided it. */
export interface FeedEncoding {
  /** The codec label, lower-case (`utf-8`, `windows-1252`, `utf-16le` …). */
  encoding: string;
  encodingSource: EncodingSource;
}

/**
 * The encoding a feed body is decoded with, from the whole body's first bytes and the header,
 * without decoding it: a BOM (or the UTF-16/32 byte pattern of `<`) decides first, then the
 * Content-Type charset, then the XML declaration's `encoding=`; unknown labels fall back to UTF-8.
 */
export function feedEncoding(bytes: Uint8Array, contentType: string | undefined): FeedEncoding {
  const sniffed = sniffBytes(bytes);
  const http = sniffed === undefined ? usableLabel(charsetOf(contentType)) : undefined;
  const xml = sniffed === undefined && http === undefined ? usableLabel(declaredEncoding(bytes)) : undefined;
  const encoding = sniffed ?? http ?? xml ?? 'utf-8';
  const encodingSource: EncodingSource = sniffed !== undefined ? 'bom' : http !== undefined ? 'http' : xml !== undefined ? 'xml' : 'default';
  return { encoding, encodingSource };
}

/**
 * Bytes to text with a given codec (a label `feedEncoding` answered), a leading BOM stripped:
 * what `decodeFeedBytesWithInfo` gives for a body it decides to decode with `encoding`, also
 * for part of such a body that lost what decided it.
 */
export function decodeFeedBytesAs(bytes: Uint8Array, encoding: string): string {
  let text: string;
  if (isUtf8Label(encoding)) {
    // iconv-lite's UTF-8 decoder strips one BOM and the line below a second one: so does this.
    text = decodeUtf8(bytes);
    if (text.startsWith('\uFEFF')) text = text.slice(1);
  } else {
    text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding, { stripBOM: true });
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  return text;
}

/** How a codec maps bytes, for code that works on a body's bytes before decoding them (see byteCodecKind). */
export type ByteCodecKind = 'utf-8' | 'single-byte';

/** byteCodecKind by label; labels come from the feeds, so it is emptied when it grows past a few. */
const byteCodecKinds = new Map<string, ByteCodecKind | undefined>();
const BYTE_CODEC_KINDS_MAX = 64;

/**
 * `utf-8`, or `single-byte` for a codec that decodes each byte alone to one character, ASCII as
 * ASCII and every other byte to a non-ASCII character other than a BOM; undefined for every other
 * codec (UTF-16/32, multi-byte legacy codecs, UTF-7). In both kinds each ASCII byte is that
 * character and no other byte decodes to an ASCII one, so markup can be found in the bytes, and
 * bytes cut before a `<` or after a `>` decode as they did in the whole body (incremental-parse.ts).
 */
export function byteCodecKind(encoding: string): ByteCodecKind | undefined {
  if (isUtf8Label(encoding)) return 'utf-8';
  if (byteCodecKinds.has(encoding)) return byteCodecKinds.get(encoding);
  let kind: ByteCodecKind | undefined;
  try {
    // iconv-lite's single-byte codecs (and only they) decode through a 256-character table.
    const codec = iconv.getCodec(encoding) as unknown as { decodeBuf?: unknown };
    const all = Uint8Array.from({ length: 256 }, (_, b) => b);
    const text = iconv.decode(Buffer.from(all), encoding);
    const fits = text.length === 256 && [...all].every((b) => (b < 0x80 ? text.charCodeAt(b) === b : text.charCodeAt(b) >= 0x80 && text.charCodeAt(b) !== 0xfeff));
    kind = Buffer.isBuffer(codec.decodeBuf) && fits ? 'single-byte' : undefined;
  } catch {
    kind = undefined;
  }
  if (byteCodecKinds.size >= BYTE_CODEC_KINDS_MAX) byteCodecKinds.clear();
  byteCodecKinds.set(encoding, kind);
  return kind;
}

/**
 * How many leading bytes `decodeFeedBytesAs` strips as BOMs, for a codec `byteCodecKind` answers:
 * up to two UTF-8 BOMs; none for a single-byte codec (none of its bytes decodes to a BOM).
 */
export function strippedBomBytes(bytes: Uint8Array, encoding: string): number {
  if (!isUtf8Label(encoding)) return 0;
  let n = 0;
  while (n < 6 && bytes[n] === 0xef && bytes[n + 1] === 0xbb && bytes[n + 2] === 0xbf) n += 3;
  return n;
}

/**
 * Decodes a feed body and reports which encoding was used and why (see `feedEncoding`).
 */
export function decodeFeedBytesWithInfo(bytes: Uint8Array, contentType: string | undefined): DecodedFeed {
  const { encoding, encodingSource } = feedEncoding(bytes, contentType);
  return { text: decodeFeedBytesAs(bytes, encoding), encoding, encodingSource };
}

/**
 * Decodes a feed body to text: a BOM (UTF-8, UTF-16LE/BE, UTF-32) decides first, then the
 * Content-Type charset, then the XML declaration's `encoding=`; unknown labels fall back to UTF-8.
 * The result never starts with a BOM.
 */
export function decodeFeedBytes(bytes: Uint8Array, contentType: string | undefined): string {
  return decodeFeedBytesWithInfo(bytes, contentType).text;
}
