import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { WirewatchError } from '../../../src/errors.js';
import { accessionNumber, parseSecEdgar } from '../../../src/sources/sec-edgar/parse-sec-edgar.js';
import { caught, fixture, fixtureText } from './support.js';

const TWITTER = fixtureText('sec-edgar', 'company-twitter-mixed.xml');
const EIGHT_K = ['8-K', '6-K'];

describe('parseSecEdgar', () => {
  it('keeps only the wanted forms of a mixed feed, keyed by accession number, titled with company, form and items', () => {
    const feed = parseSecEdgar(TWITTER, { sourceId: 'sec', forms: EIGHT_K });
    expect(feed.title).toBe('TWITTER, INC.: SEC filings');
    expect(feed.items).toEqual([
      {
        sourceId: 'sec',
        key: '0001564590-16-012715',
        title: 'TWITTER, INC. — 8-K: Current report (Item 8.01)',
        url: 'http://www.sec.gov/Archives/edgar/data/1418091/000156459016012715/0001564590-16-012715-index.htm',
        canonicalUrl: 'http://www.sec.gov/Archives/edgar/data/1418091/000156459016012715/0001564590-16-012715-index.htm',
        summary: 'Filed: 2016-02-12 AccNo: 0001564590-16-012715 Size: 22 KB Item 8.01: Other Events',
        published: '2016-02-12T22:00:06.000Z',
      },
      {
        sourceId: 'sec',
        key: '0001564590-16-012597',
        title: 'TWITTER, INC. — 8-K: Current report (Items 2.02, 9.01)',
        url: 'http://www.sec.gov/Archives/edgar/data/1418091/000156459016012597/0001564590-16-012597-index.htm',
        canonicalUrl: 'http://www.sec.gov/Archives/edgar/data/1418091/000156459016012597/0001564590-16-012597-index.htm',
        summary:
          'Filed: 2016-02-10 AccNo: 0001564590-16-012597 Size: 1 MB Item 2.02: Results of Operations and Financial Condition Item 9.01: Financial Statements and Exhibits',
        published: '2016-02-10T21:26:33.000Z',
      },
    ]);
  });

  it('prefers the configured company name and matches forms exactly, case-insensitively', () => {
    const feed = parseSecEdgar(TWITTER, { sourceId: 'sec', forms: ['sc 13g/a', '10-K'], company: 'Twitter' });
    expect(feed.items.map((i) => i.title)).toEqual([
      'Twitter — 10-K: Annual report [Section 13 and 15(d), not S-K Item 405]',
      'Twitter — SC 13G/A: Statement of acquisition of beneficial ownership by individuals',
    ]);
  });

  it('decodes an ISO-8859-1 feed of a foreign filer and keeps 6-K but not 6-K/A unless asked', () => {
    const text = iconv.decode(fixture('sec-edgar', 'company-tsmc-6k.xml'), 'iso-8859-1');
    const feed = parseSecEdgar(text, { sourceId: 'sec', forms: EIGHT_K });
    expect(feed.items.map((i) => [i.key, i.title])).toEqual([
      ['0001046179-26-000012', 'TAIWAN SEMICONDUCTOR MANUFACTURING CO LTD — 6-K: Report of foreign issuer [Rules 13a-16 and 15d-16]'],
      ['0001046179-26-000004', 'TAIWAN SEMICONDUCTOR MANUFACTURING CO LTD — 6-K: Report of foreign issuer [Rules 13a-16 and 15d-16]'],
    ]);
    expect(feed.items[0]?.summary).toContain('Q4 2025 résultats - Management Report');
    expect(feed.items[0]?.url).toBe('https://www.sec.gov/Archives/edgar/data/1046179/000104617926000012/0001046179-26-000012-index.htm');
    const withAmendments = parseSecEdgar(text, { sourceId: 'sec', forms: ['6-K', '6-K/A'] });
    expect(withAmendments.items.map((i) => i.key)).toContain('0001046179-26-000002');
  });

  it('reads a company without filings as no items, and names a company-less feed by CIK', () => {
    expect(parseSecEdgar(fixtureText('sec-edgar', 'company-no-filings.xml'), { sourceId: 'sec', forms: EIGHT_K }).items).toEqual([]);
    const bare = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>8-K - Current report</title>
      <link href="https://www.sec.gov/Archives/x-index.htm"/><updated>2026-01-29T06:00:00-05:00</updated>
      <category term="8-K"/><id>urn:tag:sec.gov,2008:accession-number=0001045810-26-000003</id></entry></feed>`;
    expect(parseSecEdgar(bare, { sourceId: 'sec', forms: EIGHT_K, cik: '0001045810' }).items[0]).toMatchObject({
      key: '0001045810-26-000003',
      title: 'CIK 1045810 — 8-K: Current report',
      published: '2026-01-29T11:00:00.000Z',
    });
  });

  it('gives the same keys on every parse', () => {
    const keys = () => parseSecEdgar(TWITTER, { sourceId: 'sec', forms: EIGHT_K }).items.map((i) => i.key);
    expect(keys()).toEqual(keys());
  });

  it.each([
    ['an HTML page (unknown CIK)', '<!DOCTYPE html><html><body><h1>No matching CIK.</h1></body></html>', /HTML page/],
    ['JSON', '{"filings":{}}', /not XML/],
  ])('throws parse_failed on %s', (_, body, message) => {
    const err = caught(() => parseSecEdgar(body, { sourceId: 'sec', forms: EIGHT_K }));
    expect(err).toBeInstanceOf(WirewatchError);
    expect(err).toMatchObject({ code: 'parse_failed', message: expect.stringMatching(message) });
  });
});

describe('accessionNumber', () => {
  it('reads the accession number from an EDGAR entry id', () => {
    expect(accessionNumber('urn:tag:sec.gov,2008:accession-number=0001564590-16-012597')).toBe('0001564590-16-012597');
    expect(accessionNumber('urn:tag:sec.gov,2008:accession-number=ZZZ')).toBeUndefined();
    expect(accessionNumber(null)).toBeUndefined();
  });
});
