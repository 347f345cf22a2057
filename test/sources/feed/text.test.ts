import { describe, expect, it } from 'vitest';
import { absoluteHttpUrl, plainText } from '../../../src/sources/feed/text.js';

/** Characters plainText removes outright (before collapsing whitespace). */
// Control characters are exactly what this matches.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B\uFEFF]/;

describe('plainText', () => {
  it.each([
    ['tags, block tags as spaces', '<p>One<br/>two</p><div><b>three</b></div>', 'One two three'],
    ['comments, scripts and styles', 'a<!-- hidden -->b<script>x()</script>c<STYLE>p{}</style >d', 'a b c d'],
    ['an unclosed comment', 'kept<!-- never closed', 'kept'],
    ['entities', 'Caf&eacute; &amp; &#8220;tea&#x201D;&hellip; &foo;', 'Caf&eacute; & “tea”… &foo;'],
    ['a stray "<"', '<', '<'],
    ['a tag left once a block tag inside it is gone', '<a <p>>b', 'b'],
    ['vertical tab and form feed (removed, not spaces)', 'a\u000b\u000cb', 'ab'],
    ['an invisible character between spaces', 'a \u0001 b', 'a b'],
    ['no-break spaces', 'a\u00a0\u00a0b', 'a b'],
    ['a zero-width space', 'x\u200by', 'xy'],
    ['only a BOM and spaces', ' \ufeff ', ''],
    ['line and ideographic spaces', 'a\u2028b\u3000\u3000c', 'a b c'],
    ['nothing to clean', 'Plain words, one space each.', 'Plain words, one space each.'],
  ])('reads %s', (_name, markup, text) => {
    expect(plainText(markup)).toBe(text);
  });

  it('removes invisible characters and turns every other whitespace character into one space', () => {
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      if (c === '<' || c === '&') continue;
      const kind = INVISIBLE.test(c) ? 'invisible' : /\s/.test(c) ? 'space' : 'other';
      expect(plainText(`a${c}b`)).toBe(kind === 'invisible' ? 'ab' : kind === 'space' ? 'a b' : `a${c}b`);
      expect(plainText(`a${c}${c}b`)).toBe(kind === 'invisible' ? 'ab' : kind === 'space' ? 'a b' : `a${c}${c}b`);
    }
  });

  it('answers empty text for null, undefined and empty markup', () => {
    expect(plainText(null)).toBe('');
    expect(plainText(undefined)).toBe('');
    expect(plainText('')).toBe('');
  });
});

describe('absoluteHttpUrl', () => {
  it('resolves a relative link against the first base it parses with, and keeps only http(s)', () => {
    expect(absoluteHttpUrl(' /news/1.html ', null, 'not a url', 'https://site.test/feed.xml')).toBe('https://site.test/news/1.html');
    expect(absoluteHttpUrl('https://site.test/a b')).toBe('https://site.test/a%20b');
    expect(absoluteHttpUrl('mailto:x@site.test', 'https://site.test/')).toBeUndefined();
    expect(absoluteHttpUrl('relative.html')).toBeUndefined();
    expect(absoluteHttpUrl('ht\ntps://site.test/x')).toBe('https://site.test/x');
  });
});
