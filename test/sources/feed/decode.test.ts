import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { byteCodecKind, decodeFeedBytes, decodeFeedBytesAs, decodeFeedBytesWithInfo, feedEncoding, strippedBomBytes } from '../../../src/sources/feed/decode.js';

const XML = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>Café “Œuvre”</title></channel></rss>';

describe('decodeFeedBytesWithInfo', () => {
  it('reports the XML declaration when there is no BOM and no HTTP charset (Latin-1 read as windows-1252)', () => {
    const bytes = iconv.encode(XML, 'windows-1252');
    expect(decodeFeedBytesWithInfo(bytes, undefined)).toEqual({ text: XML, encoding: 'windows-1252', encodingSource: 'xml' });
  });

  it('lets the HTTP charset win over the declaration', () => {
    const bytes = iconv.encode(XML.replace('ISO-8859-1', 'utf-8'), 'windows-1252');
    const decoded = decodeFeedBytesWithInfo(bytes, 'application/rss+xml; charset=windows-1252');
    expect(decoded.encodingSource).toBe('http');
    expect(decoded.text).toContain('Café “Œuvre”');
  });

  it('lets a BOM win over everything and strips it', () => {
    const bytes = iconv.encode(XML, 'utf-16le', { addBOM: true });
    expect(decodeFeedBytesWithInfo(bytes, 'text/xml; charset=iso-8859-1')).toEqual({ text: XML, encoding: 'utf-16le', encodingSource: 'bom' });
  });

  it.each(['utf-16le', 'utf-16be', 'utf-32le', 'utf-32be'])('recognises %s without a BOM from the bytes of "<"', (encoding) => {
    const bytes = iconv.encode(XML, encoding, { addBOM: false });
    const decoded = decodeFeedBytesWithInfo(bytes, undefined);
    expect(decoded).toEqual({ text: XML, encoding, encodingSource: 'bom' });
  });

  it('falls back to UTF-8 for an unknown label and for no label', () => {
    const bytes = Buffer.from('<?xml version="1.0" encoding="bogus"?><a>é</a>', 'utf8');
    expect(decodeFeedBytesWithInfo(bytes, 'text/xml; charset=nope')).toMatchObject({ encoding: 'utf-8', encodingSource: 'default' });
    expect(decodeFeedBytes(Buffer.from('<a>é</a>'), undefined)).toBe('<a>é</a>');
  });

  it('decodes multi-byte legacy encodings named in the declaration (Big5, GB2312)', () => {
    const big5 = '<?xml version="1.0" encoding="big5"?><rss><channel><title>中文新聞</title></channel></rss>';
    expect(decodeFeedBytesWithInfo(iconv.encode(big5, 'big5'), undefined)).toEqual({ text: big5, encoding: 'big5', encodingSource: 'xml' });
    const gb = big5.replace('big5', 'gb2312').replace('中文新聞', '中文新闻');
    expect(decodeFeedBytes(iconv.encode(gb, 'gb2312'), undefined)).toBe(gb);
  });

  it.each([
    ['an invalid byte', '3cff3e', '<\uFFFD>'],
    ['an overlong encoding', 'c0af', '\uFFFD\uFFFD'],
    ['an encoded surrogate', 'eda080', '\uFFFD\uFFFD\uFFFD'],
    ['a code point above U+10FFFF', 'f4908080', '\uFFFD\uFFFD\uFFFD\uFFFD'],
    ['a sequence cut at the end', '3ce282', '<\uFFFD'],
    ['a BOM cut short', 'efbb', '\uFFFD'],
    ['two BOMs (both stripped)', 'efbbbfefbbbf3c61', '<a'],
    ['a BOM alone', 'efbbbf', ''],
    ['valid multi-byte text', '3ce282acf09f98803e', '<€😀>'],
  ])('decodes UTF-8 with %s as iconv-lite did', (_name, hex, text) => {
    const bytes = Buffer.from(hex, 'hex');
    expect(decodeFeedBytes(bytes, undefined)).toBe(text);
    const viaIconv = iconv.decode(bytes, 'utf-8', { stripBOM: true });
    expect(text).toBe(viaIconv.startsWith('\uFEFF') ? viaIconv.slice(1) : viaIconv);
  });

  it('decodes a UTF-8 body inside a larger buffer, whatever the spelling of the label', () => {
    const backing = Buffer.from('xx<a>é</a>yy', 'utf8');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, backing.byteLength - 4);
    for (const label of ['utf-8', 'UTF8', 'utf_8', 'unicode-1-1-utf-8']) {
      expect(decodeFeedBytesWithInfo(view, `text/xml; charset=${label}`)).toMatchObject({ text: '<a>é</a>', encodingSource: 'http' });
    }
  });
});


describe('feedEncoding and decodeFeedBytesAs', () => {
  it('decide the codec without decoding, and decode with it what decodeFeedBytesWithInfo decodes', () => {
    const cases: [Uint8Array, string | undefined][] = [
      [iconv.encode(XML, 'windows-1252'), undefined],
      [iconv.encode(XML.replace('ISO-8859-1', 'utf-8'), 'windows-1252'), 'text/xml; charset=windows-1252'],
      [iconv.encode(XML, 'utf-16le', { addBOM: true }), 'text/xml; charset=iso-8859-1'],
      [Buffer.from('efbbbfefbbbf3c61', 'hex'), undefined],
      [Buffer.from('3cff3e', 'hex'), 'text/xml; charset=nope'],
    ];
    for (const [bytes, contentType] of cases) {
      const { text, ...encoding } = decodeFeedBytesWithInfo(bytes, contentType);
      expect(feedEncoding(bytes, contentType)).toEqual(encoding);
      expect(decodeFeedBytesAs(bytes, encoding.encoding)).toBe(text);
    }
  });

  it('decode part of a body with the codec the whole body decided, though the part lost the declaration', () => {
    const bytes = iconv.encode(XML, 'windows-1252');
    const { encoding } = feedEncoding(bytes, undefined);
    const title = bytes.subarray(bytes.indexOf('<title>'));
    expect(decodeFeedBytesAs(title, encoding)).toBe('<title>Café “Œuvre”</title></channel></rss>');
    expect(decodeFeedBytes(title, undefined)).not.toContain('Café');
  });
});

describe('byteCodecKind', () => {
  it('answers UTF-8 and the single-byte codecs that keep ASCII, and nothing else', () => {
    expect(['utf-8', 'UTF8', 'unicode-1-1-utf-8'].map(byteCodecKind)).toEqual(['utf-8', 'utf-8', 'utf-8']);
    expect(['windows-1252', 'iso-8859-7', 'koi8-r', 'windows-1251', 'macintosh'].map(byteCodecKind)).toEqual(Array(5).fill('single-byte'));
    // Two bytes per character, ASCII bytes inside multi-byte characters, or ASCII that means something else.
    expect(['utf-16le', 'utf-32be', 'big5', 'shift_jis', 'gb2312', 'euc-kr', 'utf-7', 'base64', 'hex', 'no-such-codec'].map(byteCodecKind)).toEqual(Array(10).fill(undefined));
  });
});

describe('strippedBomBytes', () => {
  it('counts the leading bytes decodeFeedBytesAs strips', () => {
    for (const [hex, codec, stripped] of [
      ['efbbbf3c61', 'utf-8', 3],
      ['efbbbfefbbbf3c61', 'utf-8', 6],
      ['efbbbfefbbbfefbbbf3c61', 'utf-8', 6],
      ['efbb3c61', 'utf-8', 0],
      ['3c61', 'utf-8', 0],
      ['efbbbf3c61', 'windows-1252', 0],
    ] as const) {
      const bytes = Buffer.from(hex, 'hex');
      expect(strippedBomBytes(bytes, codec)).toBe(stripped);
      // What is left decodes, BOMs and all, to the text.
      expect(iconv.decode(bytes.subarray(stripped), codec, { stripBOM: false })).toBe(decodeFeedBytesAs(bytes, codec));
    }
  });
});
