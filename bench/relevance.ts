// `npm run bench:relevance`: what relevance costs per item. Channel rules with 10, 1,000 and
// 10,000 watch terms over 100 channels (compile once, then itemTokens + decideAll per item), and
// classify, storySignature and extractHighlights per item. Items are the labelled set's 233
// headlines + summaries. Median of several runs (the three sizes timed in turn); ns per item.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';
import type { ChannelKey } from '../src/domain.js';
import { extractHighlights } from '../src/relevance/amounts.js';
import { parseLabeledItems } from '../src/relevance/evaluate.js';
import { itemTokens } from '../src/relevance/fold.js';
import { storySignature } from '../src/relevance/stories.js';
import { classify } from '../src/relevance/topics.js';
import { compileChannelRules, type ChannelRule } from '../src/relevance/watchlist.js';

const RUNS = 9;
const CHANNELS = 100;
const items = parseLabeledItems(readFileSync(join(ROOT, 'test/fixtures/labeled/items.jsonl'), 'utf8'));
const judged = items.map((i) => ({ tokens: itemTokens(i), judgement: classify(i) }));

const WORDS = ['nvidia', 'bitcoin', 'coreweave', 'oracle', 'ether', 'tsmc', 'openai', 'xrp', 'broadcom', '"data center"'];

/**
 * Rules with `total` terms spread over the channels. The same 10 real words (that do match items)
 * are in every configuration, so alerts per item stay equal and only the matcher's size changes;
 * the rest are unique synthetic words, phrases, tickers, exclusions and topic-filtered terms.
 */
function rules(total: number): Map<ChannelKey, ChannelRule> {
  const out = new Map<ChannelKey, ChannelRule>();
  for (let c = 0; c < CHANNELS; c++) out.set(`console:c${c}`, { topics: c % 10 === 0 ? ['crypto'] : [], terms: [] });
  for (let t = 0; t < total; t++) {
    const channel = out.get(`console:c${t % CHANNELS}`);
    if (channel === undefined) continue;
    const kind = t % 5;
    const term =
      t < WORDS.length
        ? (WORDS[t] ?? 'nvidia')
        : kind === 0
          ? `"company${t} holdings"`
          : kind === 1
            ? `-spam${t}`
            : kind === 2
              ? `$TCK${t}`
              : kind === 3
                ? `topic:crypto:word${t}`
                : `word${t}`;
    (channel.terms as string[]).push(term);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Repetitions of `fn` over all items that make a run last ≥ 50 ms. */
function calibrate(fn: (index: number) => unknown): number {
  let reps = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) for (let i = 0; i < items.length; i++) fn(i);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= 50) return reps;
    reps *= 2;
  }
}

/**
 * ns per item of each of `fns` over all items: RUNS rounds, each timing every function once in
 * turn, so a slow spell of a shared machine or a recompilation falls on all of them alike rather
 * than on whichever was being timed; the median of each.
 */
function perItemInterleaved(fns: ReadonlyArray<(index: number) => unknown>): number[] {
  const reps = fns.map(calibrate);
  const samples: number[][] = fns.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    fns.forEach((fn, k) => {
      const n = reps[k] ?? 1;
      const t0 = process.hrtime.bigint();
      for (let r = 0; r < n; r++) for (let i = 0; i < items.length; i++) fn(i);
      samples[k]?.push(Number(process.hrtime.bigint() - t0) / (n * items.length));
    });
  }
  return samples.map(median);
}

/** ns per item of `fn` over all items, repeated until a run lasts ≥ 50 ms; median of RUNS runs. */
function perItem(fn: (index: number) => unknown): number {
  return perItemInterleaved([fn])[0] ?? Number.NaN;
}

const compiledBig = compileChannelRules(rules(10_000));

/** The design the matcher replaces, for contrast: one case-insensitive RegExp per term, tested on each item. */
function naive(total: number): (text: string) => number {
  const res = [...rules(total).values()].flatMap((r) => r.terms).map((t) => {
    const body = t.replace(/^-|^\$|^topic:[a-z-]+:/g, '').replace(/"/g, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`\\b${body}\\b`, 'i');
  });
  return (text) => res.filter((re) => re.test(text)).length;
}
const rows: Array<[string, string, string]> = [];
// The three sizes are timed in turn within each round (see perItemInterleaved): they are compared.
const sizes = [10, 1_000, 10_000].map((total) => {
  const r = rules(total);
  const t0 = process.hrtime.bigint();
  const compiled = compileChannelRules(r);
  return { total, compiled, compileMs: Number(process.hrtime.bigint() - t0) / 1e6 };
});
let alerts = 0;
const sizeNs = perItemInterleaved(
  sizes.map(({ compiled }) => (i: number) => {
    const item = items[i];
    const j = judged[i];
    if (item === undefined || j === undefined) return;
    for (const d of compiled.decideAll(itemTokens(item), j.judgement).values()) if (d.alert) alerts += 1;
  }),
);
sizes.forEach(({ total, compileMs }, k) => {
  rows.push([`itemTokens + decideAll, ${total} terms / ${CHANNELS} channels`, (sizeNs[k] ?? Number.NaN).toFixed(0), `compile ${compileMs.toFixed(1)} ms`]);
});
if (alerts < 0) console.log(alerts);
for (const total of [10, 1_000, 10_000]) {
  const test = naive(total);
  rows.push([`naive: one RegExp per term, ${total} terms (not used)`, perItem((i) => {
    const item = items[i];
    if (item !== undefined) test(`${item.title} ${item.summary}`);
  }).toFixed(0), 'for contrast']);
}
rows.push(['decideAll only (10,000 terms), tokens precomputed', perItem((i) => {
  const j = judged[i];
  if (j !== undefined) compiledBig.decideAll(j.tokens, j.judgement);
}).toFixed(0), '']);
rows.push(['classify', perItem((i) => classify(items[i] ?? { title: '', summary: '' })).toFixed(0), '']);
rows.push(['storySignature', perItem((i) => storySignature(items[i] ?? { title: '' })).toFixed(0), '']);
rows.push(['extractHighlights (title + summary)', perItem((i) => {
  const item = items[i];
  if (item !== undefined) extractHighlights(`${item.title} ${item.summary}`);
}).toFixed(0), '']);

const w = Math.max(...rows.map((r) => r[0].length));
console.log(`node ${process.version}, ${items.length} items, median of ${RUNS} runs`);
console.log(`${'step'.padEnd(w)}  ${'ns/item'.padStart(8)}  note`);
for (const [name, ns, note] of rows) console.log(`${name.padEnd(w)}  ${ns.padStart(8)}  ${note}`);
