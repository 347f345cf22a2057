import { describe, expect, it } from 'vitest';
import { feedDateIso, parseFeedDate } from '../../../src/sources/feed/parse-date.js';

describe('parseFeedDate', () => {
  it.each([
    ['RFC 822', 'Tue, 10 Jun 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'],
    ['RFC 822 numeric zone', 'Tue, 10 Jun 2003 04:00:00 -0500', '2003-06-10T09:00:00.000Z'],
    ['RFC 822 zone with colon', 'Tue, 10 Jun 2003 04:00:00 +05:30', '2003-06-09T22:30:00.000Z'],
    ['missing seconds', 'Tue, 10 Jun 2003 04:00 GMT', '2003-06-10T04:00:00.000Z'],
    ['no weekday, single-digit day', '5 Jan 2024 10:00:00 UT', '2024-01-05T10:00:00.000Z'],
    ['two-digit year < 50', 'Fri, 05 Jan 24 10:00:00 GMT', '2024-01-05T10:00:00.000Z'],
    ['two-digit year >= 50', 'Sun, 05 Jan 97 10:00:00 GMT', '1997-01-05T10:00:00.000Z'],
    ['EST', 'Fri, 05 Jan 2024 10:00:00 EST', '2024-01-05T15:00:00.000Z'],
    ['PDT', 'Fri, 05 Jul 2024 10:00:00 PDT', '2024-07-05T17:00:00.000Z'],
    ['CEST', 'Fri, 05 Jul 2024 10:00:00 CEST', '2024-07-05T08:00:00.000Z'],
    ['GMT+offset', 'Fri Jan 05 2024 10:00:00 GMT+0100 (Central European Standard Time)', '2024-01-05T09:00:00.000Z'],
    ['French names', 'ven., 5 janv. 2024 10:00:00 +0100', '2024-01-05T09:00:00.000Z'],
    ['French accented month, 10h30', 'mardi 15 août 2023 10h30', '2023-08-15T10:30:00.000Z'],
    ['French février', '1 février 2024', '2024-02-01T00:00:00.000Z'],
    ['month first with comma and PM', 'January 5, 2024 10:00 PM', '2024-01-05T22:00:00.000Z'],
    ['dashes', '05-Jan-2024 10:00:00 GMT', '2024-01-05T10:00:00.000Z'],
    ['trailing garbage', 'Fri, 05 Jan 2024 10:00:00 GMT -- updated later!', '2024-01-05T10:00:00.000Z'],
    ['ISO 8601 Z', '2024-01-05T10:00:00Z', '2024-01-05T10:00:00.000Z'],
    ['ISO 8601 fraction and offset', '2024-01-05T10:00:00.123456+02:00', '2024-01-05T08:00:00.123Z'],
    ['ISO without T and zone', '2024-01-05 10:00:00', '2024-01-05T10:00:00.000Z'],
    ['ISO without seconds', '2024-01-05T10:00+01:00', '2024-01-05T09:00:00.000Z'],
    ['ISO with trailing garbage', '2024-01-05T10:00:00Z (approx.)', '2024-01-05T10:00:00.000Z'],
    ['ISO named zone', '2024-01-05 10:00:00 PST', '2024-01-05T18:00:00.000Z'],
    ['W3C-DTF date only', '2022-12-17', '2022-12-17T00:00:00.000Z'],
    ['W3C-DTF year-month', '2022-12', '2022-12-01T00:00:00.000Z'],
    ['compact date', '20240105', '2024-01-05T00:00:00.000Z'],
    ['slashed, year first', '2024/01/05 10:00', '2024-01-05T10:00:00.000Z'],
    ['leap second', 'Sat, 31 Dec 2016 23:59:60 GMT', '2016-12-31T23:59:59.000Z'],
    ['RFC 822 lower case', 'tue, 10 jun 2003 04:00:00 gmt', '2003-06-10T04:00:00.000Z'],
    ['RFC 822 29 February of a leap year', 'Thu, 29 Feb 2024 10:00:00 +0000', '2024-02-29T10:00:00.000Z'],
    ['RFC 822 hour 24, zone -0000', 'Tue, 10 Jun 2003 24:00:00 -0000', '2003-06-11T00:00:00.000Z'],
    ['RFC 822 single-digit hour, zone z', 'Tue, 10 Jun 2003 4:05 z', '2003-06-10T04:05:00.000Z'],
    ['RFC 822 largest offset', 'Tue, 10 Jun 2003 04:00:00 +1400', '2003-06-09T14:00:00.000Z'],
    ['RFC 822 offset out of range (taken as UTC)', 'Tue, 10 Jun 2003 04:00:00 +1500', '2003-06-10T04:00:00.000Z'],
    ['RFC 822 unknown zone word (taken as UTC)', 'Tue, 10 Jun 2003 04:00:00 XYZ', '2003-06-10T04:00:00.000Z'],
    ['RFC 822 two spaces', 'Tue,  10 Jun 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'],
  ])('reads %s', (_name, raw, iso) => {
    expect(feedDateIso(raw)).toBe(iso);
  });

  it.each([
    ['empty', ''],
    ['words', 'not a date'],
    ['a word and a number (V8 reads it as 2001)', 'Foo 1'],
    ['31 February', '2024-02-31'],
    ['month 13', '2024-13-01T00:00:00Z'],
    ['time only', '10:00:00'],
    ['ambiguous numeric', '05/01/2024'],
    ['day and month without year', 'Fri, 05 Jan'],
    ['an unknown weekday', 'Foo, 10 Jun 2003 04:00:00 GMT'],
    ['31 April', 'Wed, 31 Apr 2024 10:00:00 GMT'],
    ['29 February of a common year', 'Wed, 29 Feb 2023 10:00:00 GMT'],
    ['a three-digit year', 'Tue, 10 Jun 0999 04:00:00 GMT'],
  ])('answers undefined for %s, never now', (_name, raw) => {
    expect(parseFeedDate(raw)).toBeUndefined();
  });

  it('answers undefined for null and undefined', () => {
    expect(parseFeedDate(null)).toBeUndefined();
    expect(parseFeedDate(undefined)).toBeUndefined();
  });
});
