// The pure core of `wirewatch classify`: one JSON line in, one JSON line out, in the same order,
// with topics, the terms that decided them, a story id shared by items the bot would treat as one
// story, and the figures an alert would highlight. The CLI only reads stdin and writes stdout.
import { TOPICS, type Topic } from '../domain.js';
import { extractHighlights, type Highlight } from './amounts.js';
import { clusterStories } from './stories.js';
import { classify } from './topics.js';

/** One input line. */
export interface ClassifyRecord {
  id: string;
  title: string;
  summary?: string;
  lang?: string;
  source?: string;
  /** ISO 8601. */
  published?: string;
  url?: string;
}

/** One output line. */
export interface ClassifyResult {
  id: string;
  topics: Topic[];
  /** The terms that decided the topics, as written, topic by topic, without repeats. */
  matched: string[];
  storyId: string;
  /** Money, power, percent and ticker highlights of title then summary. */
  amounts: Array<Omit<Highlight, 'start'>>;
}

/** Parses one input line; the error says what is wrong (never throws). */
export function parseClassifyLine(line: string): { ok: true; record: ClassifyRecord } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  const id = typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : undefined;
  if (id === undefined) return { ok: false, error: 'missing "id"' };
  if (typeof v.title !== 'string') return { ok: false, error: 'missing "title"' };
  const record: ClassifyRecord = { id, title: v.title };
  for (const field of ['summary', 'lang', 'source', 'published', 'url'] as const) {
    const x = v[field];
    if (x === undefined || x === null) continue;
    if (typeof x !== 'string') return { ok: false, error: `"${field}" is not a string` };
    record[field] = x;
  }
  return { ok: true, record };
}

/** Judges a batch of records; items of one story (see stories.ts) get one `storyId`. */
export function classifyRecords(records: readonly ClassifyRecord[]): ClassifyResult[] {
  const storyIds = clusterStories(
    records.map((r) => ({ title: r.title, summary: r.summary, published: r.published, lang: r.lang, source: r.source, key: r.url ?? r.id })),
  );
  return records.map((r, i) => {
    const summary = r.summary ?? '';
    const judgement = classify({ title: r.title, summary });
    const matched: string[] = [];
    for (const topic of TOPICS) for (const term of judgement.topicTerms[topic]) if (!matched.includes(term)) matched.push(term);
    const amounts = [...extractHighlights(r.title), ...extractHighlights(summary)].map(({ start: _start, ...h }) => h);
    return { id: r.id, topics: judgement.topics, matched, storyId: storyIds[i] ?? '', amounts };
  });
}
