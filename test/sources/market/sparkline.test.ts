import { describe, expect, it } from 'vitest';
import { resample, sparkline } from '../../../src/sources/market/sparkline.js';

describe('sparkline', () => {
  it('maps a rising series onto the eight levels', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
  });

  it('maps the minimum to ▁ and the maximum to █ whatever the scale', () => {
    // (0.5123 − 0.501) / (0.5634 − 0.501) × 7 = 1.27 → level 1.
    expect(sparkline([0.5123, 0.5634, 0.501, 0.5634, 0.5123])).toBe('▂█▁█▂');
    expect(sparkline([-10, 10, 0])).toBe('▁█▅');
  });

  it('averages each bucket when the series is longer than the width', () => {
    // 48 values → 24 pairs; pair i averages to i + 0.5; level = round(i × 7 / 23).
    const values = Array.from({ length: 48 }, (_, i) => Math.floor(i / 2) + (i % 2));
    expect(resample(values, 24)).toEqual(Array.from({ length: 24 }, (_, i) => i + 0.5));
    expect(sparkline(values, 24)).toBe('▁▁▂▂▂▃▃▃▃▄▄▄▅▅▅▆▆▆▆▇▇▇██');
    // Means 2, 6, 10: the middle one is level 3.5, rounded up.
    expect(sparkline([1, 3, 5, 7, 9, 11], 3)).toBe('▁▅█');
  });

  it('never stretches a short series', () => {
    expect(sparkline([1, 2], 24)).toBe('▁█');
  });

  it('draws a flat series as a middle bar', () => {
    expect(sparkline([0.5, 0.5, 0.5])).toBe('▄▄▄');
    expect(sparkline([42])).toBe('▄');
  });

  it('handles empty, NaN and infinite input', () => {
    expect(sparkline([])).toBe('');
    expect(sparkline([NaN, NaN])).toBe('');
    expect(sparkline([1, 2, 3], 0)).toBe('');
    expect(sparkline([1, NaN, 3])).toBe('▁ █');
    // 2 is halfway: level 3.5 rounds to 4.
    expect(sparkline([1, Infinity, 3, -Infinity, 2])).toBe('▁ █ ▅');
    // NaN inside a bucket is skipped, not averaged in.
    expect(sparkline([1, NaN, 5, 5], 2)).toBe('▁█');
  });
});
