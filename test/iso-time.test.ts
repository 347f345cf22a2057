import { describe, expect, it } from 'vitest';
import { isoTime } from '../src/iso-time.js';

describe('isoTime', () => {
  it('writes what toISOString writes, inside a second, across seconds and back in time', () => {
    const base = Date.UTC(2026, 10, 30, 23, 59, 58, 990);
    const times = [base, base + 5, base + 9, base + 10, base + 1009, base + 1010, base + 2, base - 1000, base + 86_400_000, 0, -1, -999, -1000, -1001, 999, 1000, 253402300799999, 253402300800000, -62198755200000];
    for (const t of times) expect(isoTime(new Date(t))).toBe(new Date(t).toISOString());
    for (let t = base - 3000; t < base + 3000; t += 7) expect(isoTime(new Date(t))).toBe(new Date(t).toISOString());
  });

  it('answers a time asked twice in a row, and the times around it, each with its own text', () => {
    const base = Date.UTC(2026, 10, 30, 12, 0, 0, 500);
    const times = [base, base, base + 1, base + 1, base, base - 1000, base - 1000, base, base + 999, base + 500, base + 500];
    for (const t of times) expect(isoTime(new Date(t))).toBe(new Date(t).toISOString());
  });

  it('throws for an invalid date, as toISOString does', () => {
    isoTime(new Date(0));
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
