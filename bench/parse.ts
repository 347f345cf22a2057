// `npm run bench:parse [-- --json] [-- --passes N]`: our parse path (decode + parseFeed) against
// other feed parsers on the real-world corpus (test/fixtures/corpus). Every other parser gets the
// same text, already decoded by our decode path (none of them decodes legacy encodings itself).
// Per parser: one warm-up pass, then N timed passes over every file; files/s and MB/s are the
// median pass; failures (the parser threw) and items found come from the warm-up pass.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './paths.js';
import { parseFeed as rowanmanningParse } from '@rowanmanning/feed-parser';
import { parseFeed as feedsmithParse } from 'feedsmith';
import RssParser from 'rss-parser';
import { decodeFeedBytes } from '../src/sources/feed/decode.js';
import { parseFeed } from '../src/sources/feed/parse-feed.js';

const CORPUS = pathToFileURL(join(ROOT, 'test/fixtures/corpus/'));
const FEED_URL = 'https://bench.test/feed.xml';
/** Bytes in the MB of MB/s. */
const MB = 1_000_000;

interface CorpusFile {
  name: string;
  bytes: Buffer;
  /** Decoded once by our decode path, for the parsers that take text. */
  text: string;
}

interface Contender {
  name: string;
  /** Parses one file; answers the number of items found. Throws when the parser fails. */
  run(file: CorpusFile): number | Promise<number>;
}

interface Result {
  parser: string;
  files: number;
  failures: number;
  items: number;
  /** Median pass, in ms. */
  medianMs: number;
  filesPerSecond: number;
  mbPerSecond: number;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function loadCorpus(): CorpusFile[] {
  const names = readFileSync(new URL('MANIFEST.tsv', CORPUS), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t')[0] ?? '')
    .filter((name) => name !== '');
  return names.map((name) => {
    const bytes = readFileSync(new URL(`feeds/${name}`, CORPUS));
    return { name, bytes, text: decodeFeedBytes(bytes, undefined) };
  });
}

const rssParser = new RssParser();

function feedsmithItems(text: string): number {
  const first = /\S/.exec(text.slice(0, 1024))?.[0];
  // feedsmith detects JSON Feed on the parsed object, not on the text.
  const input: unknown = first === '{' ? JSON.parse(text) : text;
  const { feed } = feedsmithParse(input) as { feed: { items?: unknown[]; entries?: unknown[] } };
  return (feed.items ?? feed.entries ?? []).length;
}

const CONTENDERS: Contender[] = [
  { name: 'decode only (floor)', run: (f) => (decodeFeedBytes(f.bytes, undefined).length >= 0 ? 0 : 0) },
  { name: 'wirewatch (decode + parseFeed)', run: (f) => parseFeed(decodeFeedBytes(f.bytes, undefined), { sourceId: 'bench', url: FEED_URL }).items.length },
  { name: '@rowanmanning/feed-parser (alone)', run: (f) => rowanmanningParse(f.text).items.length },
  { name: 'feedsmith', run: (f) => feedsmithItems(f.text) },
  { name: 'rss-parser', run: async (f) => (await rssParser.parseString(f.text)).items.length },
];

async function pass(contender: Contender, files: CorpusFile[]): Promise<{ ms: number; failures: number; items: number }> {
  let failures = 0;
  let items = 0;
  const start = performance.now();
  for (const file of files) {
    try {
      items += await contender.run(file);
    } catch {
      failures++;
    }
  }
  return { ms: performance.now() - start, failures, items };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const passes = Math.max(1, Number(argValue('--passes') ?? 5));
  const files = loadCorpus();
  const totalBytes = files.reduce((sum, f) => sum + f.bytes.byteLength, 0);
  const results: Result[] = [];
  for (const contender of CONTENDERS) {
    const warm = await pass(contender, files);
    const times: number[] = [];
    for (let i = 0; i < passes; i++) times.push((await pass(contender, files)).ms);
    const medianMs = median(times);
    results.push({
      parser: contender.name,
      files: files.length,
      failures: warm.failures,
      items: warm.items,
      medianMs: Math.round(medianMs * 10) / 10,
      filesPerSecond: Math.round((files.length / medianMs) * 1000),
      mbPerSecond: Math.round((totalBytes / MB / (medianMs / 1000)) * 10) / 10,
    });
  }
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) };
  const corpus = { files: files.length, bytes: totalBytes, passes };
  if (json) {
    console.log(JSON.stringify({ machine, corpus, results }, null, 2));
    return;
  }
  console.log(`corpus: ${files.length} files, ${(totalBytes / MB).toFixed(1)} MB; median of ${passes} passes; node ${machine.node}, ${machine.cpus} × ${machine.cpu}`);
  const header = ['parser', 'files/s', 'MB/s', 'median ms', 'threw', 'items'];
  const rows = results.map((r) => [r.parser, String(r.filesPerSecond), r.mbPerSecond.toFixed(1), r.medianMs.toFixed(1), String(r.failures), String(r.items)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

await main();
