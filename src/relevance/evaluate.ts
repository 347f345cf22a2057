// The evaluation of the relevance stage on a labelled set (test/fixtures/labeled): precision and
// recall per topic and per language, and pairwise precision / recall / F1 of story clustering.
// Pure: `scripts/eval.ts` reads the files, `test/relevance/eval.test.ts` compares with the baseline.
import { TOPICS, type Judgement, type Topic } from '../domain.js';
import { detectLang } from './lang.js';
import { clusterStories } from './stories.js';
import { classify } from './topics.js';

/**
 * One labelled item, as a line of `items.jsonl`. `id`, `title` and `topics` are required; a
 * missing `lang` is guessed with `detectLang` (English when it cannot tell), a missing `story` is
 * null, a missing `published` leaves the item undated.
 */
export interface LabeledItem {
  id: string;
  lang: 'en' | 'fr';
  title: string;
  summary: string;
  /** Outlet name. */
  source: string;
  /** ISO 8601, when known. */
  published: string | undefined;
  /** Gold topics. */
  topics: Topic[];
  /** Gold story id, or null for an item that is its own story. */
  story: string | null;
}

/** Precision and recall of one topic on some items. */
export interface TopicScore {
  tp: number;
  fp: number;
  fn: number;
  /** tp / (tp + fp); 1 when nothing was predicted. */
  precision: number;
  /** tp / (tp + fn); 1 when nothing was expected. */
  recall: number;
}

/** Pairwise clustering figures: a pair counts when both items are in one story. */
export interface PairScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

/** One wrong decision, for reading what to fix. */
export interface EvalError {
  id: string;
  kind: 'fp' | 'fn' | 'split' | 'merge';
  topic?: Topic;
  detail: string;
}

/** Everything `npm run eval` prints. */
export interface EvalReport {
  items: number;
  topics: Record<Topic, TopicScore>;
  byLang: Record<'en' | 'fr', Record<Topic, TopicScore>>;
  stories: PairScore;
  /** Every wrong topic decision and every wrongly split or merged pair. */
  errors: EvalError[];
}

/** What is evaluated; defaults to the product's own functions. */
export interface Evaluators {
  classify: (item: { title: string; summary: string }) => Judgement;
  cluster: (items: readonly LabeledItem[]) => string[];
}

const LANGS = ['en', 'fr'] as const;

function parseLine(line: string, n: number): LabeledItem {
  const v = JSON.parse(line) as Partial<Record<keyof LabeledItem, unknown>>;
  const bad = (field: string): never => {
    throw new Error(`line ${n}: bad or missing ${field}`);
  };
  const str = (x: unknown, field: string): string => (typeof x === 'string' ? x : bad(field));
  const opt = (x: unknown, field: string): string | undefined => (x === undefined || x === null ? undefined : str(x, field));
  const title = str(v.title, 'title');
  const summary = opt(v.summary, 'summary') ?? '';
  const lang = v.lang === 'en' || v.lang === 'fr' ? v.lang : v.lang === undefined ? (detectLang(`${title}. ${summary}`) ?? 'en') : bad('lang');
  const topics = Array.isArray(v.topics) && v.topics.every((t) => (TOPICS as readonly unknown[]).includes(t)) ? (v.topics as Topic[]) : bad('topics');
  const story = v.story === undefined || v.story === null ? null : str(v.story, 'story');
  const published = opt(v.published, 'published');
  if (published !== undefined && Number.isNaN(Date.parse(published))) bad('published');
  return { id: str(v.id, 'id'), lang, title, summary, source: opt(v.source, 'source') ?? '', published, topics, story };
}

/** Parses a JSON-lines labelled set; throws naming the first bad line. Blank lines are skipped. */
export function parseLabeledItems(text: string): LabeledItem[] {
  const items: LabeledItem[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '') items.push(parseLine(line, i + 1));
  });
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id)) throw new Error(`duplicate id ${item.id}`);
    ids.add(item.id);
  }
  return items;
}

function score(tp: number, fp: number, fn: number): TopicScore {
  return { tp, fp, fn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn) };
}

function topicScores(items: readonly LabeledItem[], predicted: ReadonlyMap<string, Judgement>): Record<Topic, TopicScore> {
  const out = {} as Record<Topic, TopicScore>;
  for (const topic of TOPICS) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const item of items) {
      const p = predicted.get(item.id)?.topics.includes(topic) ?? false;
      const g = item.topics.includes(topic);
      if (p && g) tp += 1;
      else if (p) fp += 1;
      else if (g) fn += 1;
    }
    out[topic] = score(tp, fp, fn);
  }
  return out;
}

/** Pairwise precision/recall/F1 of predicted story ids against gold ones (null = alone). */
export function pairScore(gold: readonly (string | null)[], predicted: readonly string[]): PairScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < gold.length; i++) {
    for (let j = i + 1; j < gold.length; j++) {
      const g = gold[i] !== null && gold[i] === gold[j];
      const p = predicted[i] === predicted[j];
      if (g && p) tp += 1;
      else if (p) fp += 1;
      else if (g) fn += 1;
    }
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1 };
}

const DEFAULT_EVALUATORS: Evaluators = {
  classify,
  cluster: (items) => clusterStories(items),
};

/** Evaluates topics and stories on a labelled set. */
export function evaluate(items: readonly LabeledItem[], evaluators: Evaluators = DEFAULT_EVALUATORS): EvalReport {
  const predicted = new Map<string, Judgement>();
  const errors: EvalError[] = [];
  for (const item of items) {
    const j = evaluators.classify({ title: item.title, summary: item.summary });
    predicted.set(item.id, j);
    for (const topic of TOPICS) {
      const p = j.topics.includes(topic);
      const g = item.topics.includes(topic);
      if (p && !g) errors.push({ id: item.id, kind: 'fp', topic, detail: `${item.title} [${j.topicTerms[topic].join(', ')}]` });
      if (!p && g) errors.push({ id: item.id, kind: 'fn', topic, detail: item.title });
    }
  }
  const byLang = {} as Record<'en' | 'fr', Record<Topic, TopicScore>>;
  for (const lang of LANGS) byLang[lang] = topicScores(items.filter((i) => i.lang === lang), predicted);

  const storyIds = evaluators.cluster(items);
  const gold = items.map((i) => i.story);
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i];
      const b = items[j];
      if (a === undefined || b === undefined) continue;
      const g = a.story !== null && a.story === b.story;
      const p = storyIds[i] === storyIds[j];
      if (g && !p) errors.push({ id: `${a.id}+${b.id}`, kind: 'split', detail: `${a.title} | ${b.title}` });
      if (p && !g) errors.push({ id: `${a.id}+${b.id}`, kind: 'merge', detail: `${a.title} | ${b.title}` });
    }
  }
  return { items: items.length, topics: topicScores(items, predicted), byLang, stories: pairScore(gold, storyIds), errors };
}

/** The figures of a report that must not drop, by a stable name (`ai-chips.precision`, `fr.crypto.recall`, `stories.f1`). */
export function reportFigures(report: EvalReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const topic of TOPICS) {
    out[`${topic}.precision`] = report.topics[topic].precision;
    out[`${topic}.recall`] = report.topics[topic].recall;
    for (const lang of LANGS) {
      out[`${lang}.${topic}.precision`] = report.byLang[lang][topic].precision;
      out[`${lang}.${topic}.recall`] = report.byLang[lang][topic].recall;
    }
  }
  out['stories.precision'] = report.stories.precision;
  out['stories.recall'] = report.stories.recall;
  out['stories.f1'] = report.stories.f1;
  return out;
}

/** Float noise allowed when comparing with a baseline. */
export const BASELINE_EPSILON = 1e-9;

/** The figures that dropped below the baseline (name, baseline, now); empty when none did. */
export function regressions(report: EvalReport, baseline: Readonly<Record<string, number>>): Array<{ figure: string; baseline: number; now: number }> {
  const now = reportFigures(report);
  const out: Array<{ figure: string; baseline: number; now: number }> = [];
  for (const [figure, base] of Object.entries(baseline)) {
    const value = now[figure];
    if (value === undefined || value < base - BASELINE_EPSILON) out.push({ figure, baseline: base, now: value ?? Number.NaN });
  }
  return out;
}

const pct = (x: number): string => x.toFixed(3);

/** The report as the table `npm run eval` prints. */
export function formatReport(report: EvalReport, title = 'relevance'): string {
  const lines: string[] = [];
  lines.push(`${title}: ${report.items} items`);
  lines.push('');
  lines.push('topic      scope  precision  recall   tp  fp  fn');
  for (const topic of TOPICS) {
    const rows: Array<[string, TopicScore]> = [['all', report.topics[topic]], ...LANGS.map((l): [string, TopicScore] => [l, report.byLang[l][topic]])];
    for (const [scope, s] of rows) {
      lines.push(`${topic.padEnd(10)} ${scope.padEnd(5)}  ${pct(s.precision).padStart(9)}  ${pct(s.recall).padStart(6)}  ${String(s.tp).padStart(3)} ${String(s.fp).padStart(3)} ${String(s.fn).padStart(3)}`);
    }
  }
  lines.push('');
  const s = report.stories;
  lines.push(`stories (pairwise)  precision ${pct(s.precision)}  recall ${pct(s.recall)}  F1 ${pct(s.f1)}  (tp ${s.tp}, fp ${s.fp}, fn ${s.fn})`);
  return lines.join('\n');
}
