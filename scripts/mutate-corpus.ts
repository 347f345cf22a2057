// Hostile feeds, mutated from the real-world corpus (test/fixtures/corpus/feeds): truncation, bit
// flips, tag soup, wrong declared encodings, huge attributes, deep nesting, duplicated elements,
// entity tricks and combinations. Case `i` of a seed is always the same bytes, so a failure found
// by the full run is reproduced by its index alone. Every case is run through the production path
// (decodeFeedBytes + parseFeed): it must return a feed or throw WirewatchError('parse_failed').
//
//   npx tsx --expose-gc scripts/mutate-corpus.ts [--seed 1] [--count 10000] [--only <index>] [--json]
//
// Prints the count per mutation kind and outcome, the total and slowest time, heap and peak RSS;
// exits 1 when any case crashed (threw anything else).
import { readdirSync, readFileSync } from 'node:fs';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRandom } from '../bench/synthetic.js';
import { WirewatchError } from '../src/errors.js';
import { decodeFeedBytes } from '../src/sources/feed/decode.js';
import { parseFeed } from '../src/sources/feed/parse-feed.js';
import { DEFAULT_FETCH_POLICY } from '../src/sources/http/safe-fetch.js';

/** The body cap of the production fetcher: nothing larger ever reaches the parser. */
export const MAX_CASE_BYTES = DEFAULT_FETCH_POLICY.maxBytes;

/** One corpus document, as bytes. */
export interface CorpusFeed {
  name: string;
  bytes: Buffer;
}

export const MUTATION_KINDS = [
  'truncate',
  'bit-flip',
  'tag-soup',
  'wrong-encoding',
  'huge-attribute',
  'deep-nesting',
  'duplicate',
  'entities',
  'combined',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/** One hostile input: what the fetcher would hand the parser. */
export interface MutatedCase {
  index: number;
  kind: MutationKind;
  /** The corpus file it was made from. */
  from: string;
  /** What was done, for reports (e.g. `deep-nesting 100000 balanced`). */
  detail: string;
  bytes: Buffer;
  contentType: string;
}

/** What one case did in the production path. */
export type CaseOutcome = { outcome: 'parsed'; items: number } | { outcome: 'parse_failed'; message: string } | { outcome: 'crash'; error: string };

/** The corpus, sorted by name (the order is part of the determinism). */
export function loadCorpus(dir: string = fileURLToPath(new URL('../test/fixtures/corpus/feeds/', import.meta.url))): CorpusFeed[] {
  return readdirSync(dir)
    .sort()
    .map((name) => ({ name, bytes: readFileSync(`${dir}/${name}`) }));
}


interface Rng {
  float(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
}

function rngFor(seed: number, index: number): Rng {
  const next = createRandom((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const int = (max: number) => Math.floor(next() * Math.max(1, max));
  return { float: next, int, pick: (items) => items[int(items.length)] as (typeof items)[number] };
}

const SOUP = [
  '<',
  '>',
  '</',
  '/>',
  '<item>',
  '</item>',
  '<entry>',
  '</entry>',
  '</channel>',
  '</rss>',
  '<channel>',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '&',
  '&amp',
  '&#0;',
  '&#xFFFFFF;',
  '&#xD800;',
  '&nbsp;',
  '&undefined;',
  '"',
  "'",
  '=',
  '\u0000',
  '\uFFFE',
  '\uD800',
  '<?xml version="1.0"?>',
  '<!DOCTYPE x>',
  '<title>',
  '</title>',
  '<link href="javascript:alert(1)"/>',
  '<a:b:c>',
  '<1tag>',
  '{',
  '}',
  '[',
  ']',
  '"items":',
  'null',
];

const WRONG_LABELS = ['utf-16', 'UTF-32', 'shift_jis', 'ebcdic-cp-us', 'x-unknown-charset', 'iso-2022-jp', 'utf-7', 'windows-1251', 'gb18030', 'big5', 'koi8-r', 'ucs-2', '', 'utf-8"; x="', 'iso-8859-99'];

/** Text of the bytes, read as latin1 so every byte survives a round trip. */
const asText = (b: Buffer): string => b.toString('latin1');
const asBytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A position just after a `>` in the document (or a random one), where an element can go. */
function tagBoundary(text: string, rng: Rng, after?: RegExp): number {
  if (after) {
    const starts: number[] = [];
    for (const m of text.matchAll(after)) {
      starts.push((m.index ?? 0) + m[0].length);
      if (starts.length >= 200) break;
    }
    if (starts.length > 0) return rng.pick(starts);
  }
  for (let tries = 0; tries < 20; tries++) {
    const at = text.indexOf('>', rng.int(text.length));
    if (at >= 0) return at + 1;
  }
  return rng.int(text.length + 1);
}

type Mutator = (bytes: Buffer, rng: Rng, isJson: boolean) => { bytes: Buffer; detail: string; contentType?: string };

const MUTATORS: Record<Exclude<MutationKind, 'combined'>, Mutator> = {
  truncate(bytes, rng) {
    const at = rng.float() < 0.2 ? rng.int(64) : rng.int(bytes.length);
    return { bytes: bytes.subarray(0, at), detail: `truncate at ${at}/${bytes.length}` };
  },
  'bit-flip'(bytes, rng) {
    const out = Buffer.from(bytes);
    const flips = 1 + rng.int(rng.float() < 0.7 ? 10 : 2000);
    for (let i = 0; i < flips && out.length > 0; i++) {
      const at = rng.int(out.length);
      out[at] = (out[at] ?? 0) ^ (1 << rng.int(8));
    }
    return { bytes: out, detail: `bit-flip ×${flips}` };
  },
  'tag-soup'(bytes, rng) {
    let text = asText(bytes);
    const edits = 1 + rng.int(rng.float() < 0.7 ? 20 : 500);
    for (let i = 0; i < edits; i++) {
      const at = rng.int(text.length + 1);
      const op = rng.int(4);
      if (op === 0 || op === 1) text = text.slice(0, at) + rng.pick(SOUP) + text.slice(at);
      else if (op === 2) text = text.slice(0, at) + text.slice(at + 1 + rng.int(200));
      else {
        // Move a slice elsewhere: unbalances elements without inventing bytes.
        const len = 1 + rng.int(500);
        const piece = text.slice(at, at + len);
        const rest = text.slice(0, at) + text.slice(at + len);
        const to = rng.int(rest.length + 1);
        text = rest.slice(0, to) + piece + rest.slice(to);
      }
    }
    return { bytes: asBytes(text), detail: `tag-soup ×${edits}` };
  },
  'wrong-encoding'(bytes, rng) {
    const label = rng.pick(WRONG_LABELS);
    const text = asText(bytes);
    switch (rng.int(5)) {
      case 0: {
        // A lying XML declaration.
        const decl = `<?xml version="1.0" encoding="${label}"?>`;
        const replaced = /^\s*<\?xml[^>]*\?>/.test(text) ? text.replace(/^\s*<\?xml[^>]*\?>/, decl) : decl + text;
        return { bytes: asBytes(replaced), detail: `declares ${label}` };
      }
      case 1:
        return { bytes, contentType: `application/xml; charset=${label}`, detail: `http charset ${label}` };
      case 2: {
        // Re-encoded as UTF-16 without a BOM, still declaring what it declared.
        const u16 = Buffer.from(bytes.toString('utf8'), 'utf16le');
        if (rng.float() < 0.5) u16.swap16();
        return { bytes: u16, detail: 'utf-16 without BOM' };
      }
      case 3: {
        const boms = [Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff]), Buffer.from([0x00, 0x00, 0xfe, 0xff]), Buffer.from([0xff, 0xfe, 0x00, 0x00]), Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf])];
        const bom = rng.pick(boms);
        return { bytes: Buffer.concat([bom, bytes]), detail: `wrong BOM ${bom.toString('hex')}` };
      }
      default: {
        // Invalid UTF-8 sequences sprinkled in (overlongs, lone continuation bytes, surrogates).
        const bad = [Buffer.from([0xc0, 0xaf]), Buffer.from([0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0xff])];
        const parts: Buffer[] = [];
        let last = 0;
        const n = 1 + rng.int(50);
        const points = Array.from({ length: n }, () => rng.int(bytes.length)).sort((a, b) => a - b);
        for (const p of points) {
          parts.push(bytes.subarray(last, p), rng.pick(bad));
          last = p;
        }
        parts.push(bytes.subarray(last));
        return { bytes: Buffer.concat(parts), detail: `invalid utf-8 ×${n}` };
      }
    }
  },
  'huge-attribute'(bytes, rng, isJson) {
    const size = rng.pick([64 * 1024, 512 * 1024, 1024 * 1024, 3 * 1024 * 1024]);
    const text = asText(bytes);
    if (isJson) {
      const at = text.indexOf('{');
      const huge = `"x_huge":"${'A'.repeat(size)}",`;
      return { bytes: asBytes(text.slice(0, at + 1) + huge + text.slice(at + 1)), detail: `json huge string ${size}` };
    }
    if (rng.float() < 0.5) {
      const at = tagBoundary(text, rng, /<(?:item|entry|rss|feed|channel)\b/g);
      const value = rng.float() < 0.5 ? 'x'.repeat(size) : '&amp;'.repeat(Math.floor(size / 5));
      return { bytes: asBytes(`${text.slice(0, at)} huge="${value}"${text.slice(at)}`), detail: `one attribute of ${size} bytes` };
    }
    // Many attributes on one element.
    const count = Math.floor(size / 16);
    const attrs = Array.from({ length: count }, (_, i) => ` a${i}="v"`).join('');
    const at = tagBoundary(text, rng, /<(?:item|entry|title|link)\b/g);
    return { bytes: asBytes(text.slice(0, at) + attrs + text.slice(at)), detail: `${count} attributes` };
  },
  'deep-nesting'(bytes, rng, isJson) {
    const depth = rng.pick([1000, 10_000, 100_000]);
    const balanced = rng.float() < 0.5;
    const text = asText(bytes);
    if (isJson) {
      const at = text.indexOf('"items"');
      const open = rng.float() < 0.5 ? '['.repeat(depth) : '{"a":'.repeat(depth);
      const close = open.startsWith('[') ? ']'.repeat(depth) : '}'.repeat(depth);
      const nest = `"deep":${open}1${balanced ? close : ''},`;
      const pos = at >= 0 ? at : text.indexOf('{') + 1;
      return { bytes: asBytes(text.slice(0, pos) + nest + text.slice(pos)), detail: `json nesting ${depth} ${balanced ? 'balanced' : 'open'}` };
    }
    const tag = rng.pick(['x', 'item', 'entry', 'div', 'title', 'media:group']);
    const nest = `<${tag}>`.repeat(depth) + 'deep' + (balanced ? `</${tag}>`.repeat(depth) : '');
    const at = tagBoundary(text, rng, /<(?:item|entry|channel|description|summary|content)\b[^>]*>/g);
    return { bytes: asBytes(text.slice(0, at) + nest + text.slice(at)), detail: `nesting <${tag}> ${depth} ${balanced ? 'balanced' : 'open'}` };
  },
  duplicate(bytes, rng, isJson) {
    const text = asText(bytes);
    const element = isJson ? /\{[^{}]*"(?:id|url)"[^{}]*\}/.exec(text) : /<(item|entry)\b[\s\S]*?<\/\1>/.exec(text) ?? /<(title|link|guid|id)\b[^>]*>[^<]*<\/\1>/.exec(text);
    if (!element) return MUTATORS['tag-soup'](bytes, rng, isJson);
    const piece = element[0];
    const budget = Math.floor((MAX_CASE_BYTES - text.length) / Math.max(1, piece.length + 1));
    const copies = Math.max(1, Math.min(budget, rng.pick([2, 100, 1000, 20_000])));
    const joined = Array.from({ length: copies }, () => piece).join(isJson ? ',' : '');
    const at = (element.index ?? 0) + piece.length;
    return { bytes: asBytes(text.slice(0, at) + (isJson ? ',' : '') + joined + text.slice(at)), detail: `${piece.slice(0, 12)}… ×${copies}` };
  },
  entities(bytes, rng) {
    const text = asText(bytes);
    const doctypes = [
      // Billion laughs.
      `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>`,
      // External entities (XXE): file and network.
      '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "http://127.0.0.2:9/x">]>',
      // Parameter entities and an unterminated internal subset.
      '<!DOCTYPE foo [<!ENTITY % p SYSTEM "http://127.0.0.2:9/p.dtd">%p;',
      '<!DOCTYPE foo SYSTEM "http://127.0.0.2:9/foo.dtd">',
    ];
    const doctype = rng.pick(doctypes);
    const ref = rng.pick(['&lol9;', '&xxe;', '&net;', '&p;', '&#x26;lol9;']);
    const decl = /^\s*<\?xml[^>]*\?>/.exec(text);
    const head = decl ? decl[0].length : 0;
    let body = text.slice(0, head) + doctype + text.slice(head);
    body = body.replace(/<title>/, `<title>${ref}`);
    return { bytes: asBytes(body), detail: `doctype ${doctype.slice(10, 30)}… ref ${ref}` };
  },
};

const SINGLE_KINDS = MUTATION_KINDS.filter((k): k is Exclude<MutationKind, 'combined'> => k !== 'combined');

/**
 * Case `index` for `seed`: pick a corpus document and a mutation kind (every kind is equally
 * likely), apply it (`combined` applies two or three), cap at the production body limit.
 */
export function mutatedCase(corpus: readonly CorpusFeed[], seed: number, index: number): MutatedCase {
  const rng = rngFor(seed, index);
  const source = corpus[rng.int(corpus.length)] as CorpusFeed;
  const isJson = /\.json$/.test(source.name) || /^\s*\{/.test(source.bytes.subarray(0, 64).toString('latin1'));
  const kind = MUTATION_KINDS[index % MUTATION_KINDS.length] as MutationKind;
  let bytes = source.bytes;
  let contentType = isJson ? 'application/feed+json' : rng.pick(['application/rss+xml', 'application/xml; charset=utf-8', 'text/xml', 'application/atom+xml']);
  const details: string[] = [];
  const steps = kind === 'combined' ? Array.from({ length: 2 + rng.int(2) }, () => rng.pick(SINGLE_KINDS)) : [kind];
  for (const step of steps) {
    const out = MUTATORS[step](bytes, rng, isJson);
    bytes = out.bytes;
    if (out.contentType) contentType = out.contentType;
    details.push(out.detail);
  }
  if (bytes.length > MAX_CASE_BYTES) {
    bytes = bytes.subarray(0, MAX_CASE_BYTES);
    details.push('capped at the fetch limit');
  }
  return { index, kind, from: source.name, detail: details.join(' + '), bytes, contentType };
}

/** Runs one case through the production path. `parse_failed` is the only acceptable error. */
export function runCase(c: MutatedCase): CaseOutcome {
  try {
    const text = decodeFeedBytes(c.bytes, c.contentType);
    const feed = parseFeed(text, { sourceId: 'mutant', url: 'https://mutant.example/feed' });
    return { outcome: 'parsed', items: feed.items.length };
  } catch (err) {
    if (err instanceof WirewatchError && err.code === 'parse_failed') return { outcome: 'parse_failed', message: err.message };
    return { outcome: 'crash', error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err) };
  }
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function main(): number {
  const seed = Number(arg('--seed', '1'));
  const count = Number(arg('--count', '10000'));
  const only = process.argv.includes('--only') ? Number(arg('--only', '0')) : undefined;
  const json = process.argv.includes('--json');
  const gc = (globalThis as { gc?: () => void }).gc;
  const corpus = loadCorpus();
  const counts = new Map<string, number>();
  const kindMs = new Map<string, number>();
  const crashes: Array<{ index: number; kind: string; from: string; detail: string; error: string }> = [];
  let slowest = { ms: 0, index: -1, detail: '' };
  let bytes = 0;
  let peakRss = process.memoryUsage().rss;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  const indexes = only === undefined ? Array.from({ length: count }, (_, i) => i) : [only];
  for (const i of indexes) {
    const c = mutatedCase(corpus, seed, i);
    bytes += c.bytes.length;
    const t = process.hrtime.bigint();
    const result = runCase(c);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (ms > slowest.ms) slowest = { ms, index: i, detail: `${c.kind}: ${c.detail} (${c.from}, ${c.bytes.length} bytes)` };
    kindMs.set(c.kind, (kindMs.get(c.kind) ?? 0) + ms);
    const key = `${c.kind}\t${result.outcome}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (result.outcome === 'crash') crashes.push({ index: i, kind: c.kind, from: c.from, detail: c.detail, error: result.error });
    if (only !== undefined) console.log(c.kind, c.detail, c.from, result);
    if (i % 100 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  const summary = {
    seed,
    cases: indexes.length,
    inputMB: mb(bytes),
    totalSeconds: Math.round(totalMs / 100) / 10,
    slowestMs: Math.round(slowest.ms),
    slowestCase: slowest,
    peakRssMB: mb(peakRss),
    heapGrowthMB: gc ? mb(heapAfter - heapBefore) : null,
    outcomes: Object.fromEntries([...counts].sort()),
    secondsPerKind: Object.fromEntries([...kindMs].map(([k, v]) => [k, Math.round(v / 100) / 10])),
    crashes: crashes.length,
  };
  if (json) console.log(JSON.stringify({ ...summary, crashList: crashes }, null, 2));
  else {
    console.log(`seed ${seed}: ${summary.cases} mutated feeds, ${summary.inputMB} MB in ${summary.totalSeconds} s; slowest ${summary.slowestMs} ms (#${slowest.index} ${slowest.detail})`);
    console.log(`peak RSS ${summary.peakRssMB} MB; heap growth after GC ${summary.heapGrowthMB ?? 'n/a (run with --expose-gc)'} MB`);
    const kinds = [...new Set([...counts.keys()].map((k) => k.split('\t')[0] ?? ''))];
    for (const kind of kinds) {
      const of = (o: string) => counts.get(`${kind}\t${o}`) ?? 0;
      console.log(`  ${kind.padEnd(15)} parsed ${String(of('parsed')).padStart(5)}  parse_failed ${String(of('parse_failed')).padStart(5)}  crash ${of('crash')}  ${summary.secondsPerKind[kind] ?? 0} s`);
    }
    for (const c of crashes.slice(0, 20)) console.log(`CRASH #${c.index} ${c.kind} ${c.detail} (${c.from}): ${c.error.split('\n').slice(0, 4).join(' | ')}`);
  }
  return crashes.length > 0 ? 1 : 0;
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) process.exitCode = main();
