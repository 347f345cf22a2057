// Feed dates as written in the wild: RFC 822/1123 and ISO 8601 (W3C-DTF), and the usual broken
// forms (missing seconds, two-digit years, named time zones, French month and day names, a space
// instead of `T`, trailing garbage). Our own parser because `new Date(text)` guesses: V8 reads
// "Foo 1" as 2001 and a zone-less "2024-01-05 10:00" in the server's local time. Pure: no clock.

/** Longest date text looked at, in characters; the rest is garbage by definition. */
const DATE_MAX_CHARS = 120;

/** Month names and abbreviations (English, French, without accents), to month 1–12. */
const MONTHS: Record<string, number> = {};
const MONTH_NAMES: readonly (readonly string[])[] = [
  ['jan', 'january', 'janv', 'janvier'],
  ['feb', 'february', 'fev', 'fevr', 'fevrier'],
  ['mar', 'march', 'mars'],
  ['apr', 'april', 'avr', 'avril'],
  ['may', 'mai'],
  ['jun', 'june', 'juin'],
  ['jul', 'july', 'juil', 'juillet'],
  ['aug', 'august', 'aou', 'aout'],
  ['sep', 'sept', 'september', 'septembre'],
  ['oct', 'october', 'octobre'],
  ['nov', 'november', 'novembre'],
  ['dec', 'december', 'decembre'],
];
MONTH_NAMES.forEach((names, i) => {
  for (const name of names) MONTHS[name] = i + 1;
});

/** Weekday names (English, French): recognised so they are skipped, never mistaken for zones. */
const WEEKDAYS = new Set([
  'mon', 'monday', 'tue', 'tues', 'tuesday', 'wed', 'wednesday', 'thu', 'thur', 'thurs', 'thursday', 'fri', 'friday', 'sat', 'saturday', 'sun', 'sunday',
  'lun', 'lundi', 'mardi', 'mer', 'mercredi', 'jeu', 'jeudi', 'ven', 'vendredi', 'sam', 'samedi', 'dim', 'dimanche',
]);

/** Named time zones seen in feeds, to their offset from UTC in minutes. */
const ZONES: Record<string, number> = {
  z: 0, ut: 0, utc: 0, gmt: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, ast: -240, adt: -180, nst: -210, ndt: -150,
  bst: 60, ist: 330, cet: 60, cest: 120, met: 60, mest: 120, mez: 60, mesz: 120, west: 60, eet: 120, eest: 180,
  msk: 180, jst: 540, kst: 540, hkt: 480, sgt: 480, awst: 480, acst: 570, acdt: 630, aest: 600, aedt: 660, nzst: 720, nzdt: 780,
};

/** Words that may sit between the parts of a date without making it garbage. */
const FILLER = new Set(['at', 'a', 'le', 'the', 'of', 'de', 'du', 'on', 'h']);

/** Days in `month` (1–12) of `year`, proleptic Gregorian like Date. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, offsetMinutes: number): Date | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return undefined;
  if (year < 1000 || year > 9999) return undefined;
  // Date.UTC would roll 31 February into March: a day the month does not have is not a date.
  if (day > 28 && day > daysInMonth(year, month)) return undefined;
  const time = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms) - offsetMinutes * 60_000;
  const date = new Date(time);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

/** `+0100`, `-05:00`, `+01`, `+1` to minutes east of UTC. */
function numericOffset(text: string): number | undefined {
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text);
  if (m === null) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (minutes > 14 * 60) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

function fullYear(digits: string): number {
  const year = Number(digits);
  if (digits.length > 2) return year;
  // RFC 2822 §4.3: two-digit years below 50 are 20xx, the others 19xx.
  return year < 50 ? 2000 + year : 1900 + year;
}

const ISO = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?|(\d{2})(\d{2}))(?:(?:T|\s+|T\s*)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2})?|[A-Za-z]{1,5}\b)?/i;

function parseIso(text: string): Date | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, compactMo, compactD, h, mi, s, frac, zone] = m;
  const month = Number(mo ?? compactMo ?? 1);
  const day = Number(d ?? compactD ?? 1);
  let offset = 0;
  if (zone !== undefined) {
    const named = ZONES[zone.toLowerCase()];
    offset = named ?? numericOffset(zone) ?? 0;
  }
  const ms = frac === undefined ? 0 : Math.round(Number(`0.${frac}`) * 1000);
  return utc(Number(y), month, day, Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), Math.min(ms, 999), offset);
}

const TOKEN = /(\d{1,2})[:h](\d{2})(?::(\d{2})(?:[.,]\d+)?)?|(?<=\s|gmt|utc|ut)[+-]\d{1,2}(?::?\d{2})?(?!\d)|\d+|[a-z]+/g;

/** Day-month-year forms in any order with names: RFC 822, `January 5, 2024 10:00 AM`, `5 janvier 2024`. */
function parseWords(text: string): Date | undefined {
  const lower = text.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  let month: number | undefined;
  let day: number | undefined;
  let year: number | undefined;
  let time: [number, number, number] | undefined;
  let offset: number | undefined;
  let pm: boolean | undefined;
  let numbersBeforeMonth: string[] = [];
  for (const match of lower.matchAll(TOKEN)) {
    const token = match[0];
    const complete = month !== undefined && day !== undefined && year !== undefined;
    if (match[1] !== undefined) {
      if (time !== undefined) break;
      time = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
      continue;
    }
    if (token.startsWith('+') || token.startsWith('-')) {
      if (offset === undefined || offset === 0) offset = numericOffset(token) ?? offset;
      continue;
    }
    if (/^\d/.test(token)) {
      if (month === undefined) {
        numbersBeforeMonth.push(token);
        if (numbersBeforeMonth.length > 2) return undefined;
      } else if (day === undefined && token.length <= 2 && numbersBeforeMonth.length === 0) {
        day = Number(token);
      } else if (year === undefined && (token.length === 4 || token.length === 2)) {
        year = fullYear(token);
      } else if (complete) {
        break;
      } else {
        return undefined;
      }
      continue;
    }
    const monthOfWord = MONTHS[token];
    if (monthOfWord !== undefined && month === undefined) {
      month = monthOfWord;
      // `5 Jan 2024` or `2024 Jan 5`: numbers read before the month name.
      for (const n of numbersBeforeMonth) {
        if (n.length <= 2 && day === undefined) day = Number(n);
        else if (year === undefined) year = fullYear(n);
      }
      numbersBeforeMonth = [];
      continue;
    }
    if (token === 'am' || token === 'pm') {
      pm = token === 'pm';
      continue;
    }
    const zone = ZONES[token];
    if (zone !== undefined) {
      if (offset === undefined) offset = zone;
      continue;
    }
    if (WEEKDAYS.has(token) || FILLER.has(token)) continue;
    // An unknown word: trailing garbage once the date is complete, a non-date before.
    if (complete) break;
    return undefined;
  }
  if (month === undefined || day === undefined || year === undefined) return undefined;
  const [clockHour, minute, second] = time ?? [0, 0, 0];
  const hour = pm !== undefined && clockHour >= 1 && clockHour <= 12 ? (clockHour % 12) + (pm ? 12 : 0) : clockHour;
  return utc(year, month, day, hour, minute, second, 0, offset ?? 0);
}

/**
 * The RFC 822 form nearly every RSS feed writes (`Mon, 01 Jan 2024 10:00:00 GMT`, `+0100` or a
 * named zone), which `parseWords` reads to the same date; anything else goes to `parseWords`.
 */
const RFC_822 = /^(?:(?:mon|tue|wed|thu|fri|sat|sun), )?(\d{1,2}) (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) (\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))? (?:([+-]\d{4})|([a-z]{1,5}))$/i;

/** `parseWords` for the RFC 822 form, without its tokenizer; null when the text is not in that form. */
function parseRfc822(text: string): Date | undefined | null {
  const m = RFC_822.exec(text);
  if (m === null) return null;
  const [, d, mo, y, h, mi, s, numeric, named] = m;
  const offset = numeric !== undefined ? numericOffset(numeric) : ZONES[named?.toLowerCase() ?? ''];
  if (numeric === undefined && offset === undefined) return null;
  return utc(Number(y), MONTHS[mo?.toLowerCase() ?? ''] ?? 0, Number(d), Number(h), Number(mi), Number(s ?? 0), 0, offset ?? 0);
}

/**
 * Reads a feed date. Returns undefined for anything it cannot read with certainty: an unknown
 * date is unknown, never "now". A date without a zone is taken as UTC.
 */
export function parseFeedDate(raw: string | null | undefined): Date | undefined {
  if (raw === null || raw === undefined) return undefined;
  const text = raw.trim().slice(0, DATE_MAX_CHARS);
  if (text === '') return undefined;
  if (/^\d{4}(?:-\d|\d{4})/.test(text)) return parseIso(text);
  // `2024/01/05 10:00`: year first, so unambiguous.
  const slashed = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(.*)$/.exec(text);
  if (slashed !== null) return parseIso(`${slashed[1]}-${slashed[2]}-${slashed[3]}${slashed[4] ?? ''}`);
  const rfc822 = parseRfc822(text);
  return rfc822 !== null ? rfc822 : parseWords(text);
}

/** `parseFeedDate` as ISO 8601 (`toISOString`), or undefined. */
export function feedDateIso(raw: string | null | undefined): string | undefined {
  return parseFeedDate(raw)?.toISOString();
}
