// The project's own evaluation set: fails when a figure drops below the recorded baseline
// (test/fixtures/labeled/baseline.json), and checks the set is what the issue asks for.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate, pairScore, parseLabeledItems, regressions, reportFigures, type LabeledItem } from '../../src/relevance/evaluate.js';

const read = (name: string): string => readFileSync(new URL(`../fixtures/labeled/${name}`, import.meta.url), 'utf8');
const items = parseLabeledItems(read('items.jsonl'));
const baseline = JSON.parse(read('baseline.json')) as Record<string, number>;

describe('the labelled set', () => {
  it('has at least 200 items in English and French, with hard negatives and both topics', () => {
    expect(items.length).toBeGreaterThanOrEqual(200);
    expect(items.filter((i) => i.lang === 'fr').length).toBeGreaterThanOrEqual(60);
    expect(items.filter((i) => i.topics.length === 0).length).toBeGreaterThanOrEqual(40);
    expect(items.filter((i) => i.topics.length === 2).length).toBeGreaterThanOrEqual(3);
  });

  it('has at least 20 duplicate-story groups of 2–5 items within 48 h, mixing outlets and languages', () => {
    const groups = new Map<string, LabeledItem[]>();
    for (const i of items) if (i.story !== null) groups.set(i.story, [...(groups.get(i.story) ?? []), i]);
    expect(groups.size).toBeGreaterThanOrEqual(20);
    let mixed = 0;
    for (const [story, members] of groups) {
      expect(members.length, story).toBeGreaterThanOrEqual(2);
      expect(members.length, story).toBeLessThanOrEqual(5);
      const times = members.map((m) => Date.parse(m.published ?? ''));
      expect(Math.max(...times) - Math.min(...times), story).toBeLessThanOrEqual(48 * 3_600_000);
      expect(new Set(members.map((m) => m.source)).size, story).toBe(members.length);
      if (new Set(members.map((m) => m.lang)).size > 1) mixed += 1;
    }
    expect(mixed).toBeGreaterThanOrEqual(20);
  });

  it('keeps a held-out part apart from the main set', () => {
    const holdout = parseLabeledItems(read('dev-holdout.jsonl'));
    expect(holdout.length).toBeGreaterThanOrEqual(40);
    const titles = new Set(items.map((i) => i.title));
    expect(holdout.filter((h) => titles.has(h.title))).toEqual([]);
  });
});

describe('evaluate', () => {
  it('stays at or above the recorded baseline on every figure', () => {
    const report = evaluate(items);
    expect(regressions(report, baseline)).toEqual([]);
    // The baseline covers every figure the report has.
    expect(Object.keys(baseline).sort()).toEqual(Object.keys(reportFigures(report)).sort());
  });

  it('meets the targets of the issue on its own set', () => {
    const f = reportFigures(evaluate(items));
    for (const topic of ['ai-chips', 'crypto']) {
      expect(f[`${topic}.precision`]).toBeGreaterThanOrEqual(0.95);
      expect(f[`${topic}.recall`]).toBeGreaterThanOrEqual(0.9);
    }
    expect(f['stories.f1']).toBeGreaterThanOrEqual(0.9);
  });

  it('can fail: a classifier that says nothing and a clusterer that merges all drop below the baseline', () => {
    const report = evaluate(items, {
      classify: () => ({ topics: [], topicTerms: { 'ai-chips': [], crypto: [] } }),
      cluster: (xs) => xs.map(() => 'one'),
    });
    const dropped = regressions(report, baseline).map((d) => d.figure);
    expect(dropped).toEqual(expect.arrayContaining(['ai-chips.recall', 'crypto.recall', 'stories.precision', 'stories.f1']));
  });

  it('computes pairwise story figures from gold ids (null = alone)', () => {
    expect(pairScore(['a', 'a', null, null], ['x', 'x', 'y', 'z'])).toEqual({ tp: 1, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1 });
    expect(pairScore(['a', 'a', 'a', null], ['x', 'x', 'y', 'y'])).toMatchObject({ tp: 1, fp: 1, fn: 2, precision: 0.5, recall: 1 / 3 });
  });

  it('rejects a malformed line, naming it, and fills optional fields', () => {
    expect(() => parseLabeledItems('{"id":"1"}')).toThrow(/line 1: bad or missing title/);
    expect(() => parseLabeledItems('{"id":"1","title":"t","topics":["weather"]}')).toThrow(/line 1: bad or missing topics/);
    expect(parseLabeledItems('{"id":"1","title":"Le bitcoin passe sous les 81 000 dollars","topics":["crypto"]}')).toEqual([
      { id: '1', lang: 'fr', title: 'Le bitcoin passe sous les 81 000 dollars', summary: '', source: '', published: undefined, topics: ['crypto'], story: null },
    ]);
    const line = JSON.stringify({ id: 'x', lang: 'en', title: 't', summary: '', source: 's', published: '2025-01-01T00:00:00Z', topics: [], story: null });
    expect(() => parseLabeledItems(`${line}\n${line}`)).toThrow(/duplicate id x/);
  });
});
