import { describe, expect, it } from 'vitest';
import { canonicalUrl } from '../../../src/sources/canonical-url.js';

describe('canonicalUrl', () => {
  it.each([
    ['lower-cases scheme and host, keeps the path case', 'HTTPS://News.Example.COM/Path/To', 'https://news.example.com/Path/To'],
    ['removes the default http port', 'http://example.com:80/a', 'http://example.com/a'],
    ['removes the default https port', 'https://example.com:443/a', 'https://example.com/a'],
    ['keeps another port', 'https://example.com:8443/a', 'https://example.com:8443/a'],
    ['strips the fragment', 'https://example.com/a#section-2', 'https://example.com/a'],
    ['strips utm_* in any case', 'https://example.com/a?utm_source=rss&UTM_Medium=feed&utm_campaign=x', 'https://example.com/a'],
    [
      'strips fbclid, gclid, mc_cid, mc_eid and keeps the rest in order',
      'https://example.com/a?z=1&fbclid=abc&a=2&gclid=def&mc_cid=1&mc_eid=2&m=3',
      'https://example.com/a?z=1&a=2&m=3',
    ],
    ['keeps repeated and encoded params as written', 'https://example.com/s?q=a%20b&q=c+d&utm_term=x', 'https://example.com/s?q=a%20b&q=c+d'],
    ['drops empty query segments', 'https://example.com/a?&x=1&&', 'https://example.com/a?x=1'],
    ['adds the root path', 'https://example.com', 'https://example.com/'],
    ['trims whitespace', '  https://example.com/a  ', 'https://example.com/a'],
    ['keeps a param whose name only contains utm', 'https://example.com/a?notutm_x=1', 'https://example.com/a?notutm_x=1'],
  ])('%s', (_name, input, expected) => {
    expect(canonicalUrl(input)).toBe(expected);
  });

  it('is idempotent', () => {
    const once = canonicalUrl('HTTP://Example.com:80/a?b=1&utm_x=2#f');
    expect(once).toBe('http://example.com/a?b=1');
    expect(canonicalUrl(once ?? '')).toBe(once);
  });

  it.each([['relative', '/a/b'], ['not http', 'ftp://example.com/a'], ['javascript', 'javascript:alert(1)'], ['garbage', 'http://']])('answers undefined for %s', (_name, input) => {
    expect(canonicalUrl(input)).toBeUndefined();
  });
});
