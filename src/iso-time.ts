// ISO 8601 text of a time, as `Date#toISOString` writes it, for the hot path. `toISOString`
// formats every field at each call (a call into C++; ~4 % of a 304 poll's CPU in
// bench/profile.ts same); polls ask thousands of times a second, nearly always within the same
// second, so the text of that second is kept and only its milliseconds are written.

/** `000Z` … `999Z`. */
const MILLIS = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, '0')}Z`);

let secondStart = Number.NaN;
let secondText = '';
/** The last time asked and its text: the polls that end in one millisecond share one string (it is kept in each fetch state). */
let lastMs = Number.NaN;
let lastText = '';

/** `date.toISOString()`; throws the same RangeError for an invalid date. */
export function isoTime(date: Date): string {
  const ms = date.getTime();
  if (ms === lastMs) return lastText;
  const into = ms - secondStart;
  if (into >= 0 && into < 1000) {
    lastMs = ms;
    lastText = secondText + MILLIS[into];
    return lastText;
  }
  const text = date.toISOString();
  secondStart = ms - (((ms % 1000) + 1000) % 1000);
  // Every form of toISOString (years beyond 9999 too) ends with `.mmmZ`.
  secondText = text.slice(0, -4);
  lastMs = ms;
  lastText = text;
  return text;
}
