// Watch terms: what people type after `/watch add`, their stored form, and the per-channel rule
// "one of my topics OR one of my terms, AND none of my exclusions". All channels' terms are
// compiled into one phrase matcher, so an item is scanned once however many channels there are.
import { TOPICS, type ChannelKey, type Judgement, type Topic } from '../domain.js';
import { fold, type TokenizedText } from './fold.js';
import { createPhraseMatcher, type PhraseMatch } from './phrase-matcher.js';

/**
 * One watch term. Besides plain terms, a term can carry a topic filter, written
 * `topic:<topic>:<term>` (`topic:crypto:tether`, `topic:ai-chips:"stargate project"`): it then
 * matches only items judged to have that topic. A bare `topic:<topic>` subscribes the channel to
 * the topic, and `-topic:<topic>` keeps the topic's items away from it.
 */
export interface WatchTerm {
  /** The term as typed, without its `-`, quotes, `$` or topic filter (`''` for a bare topic). */
  raw: string;
  /** The folded phrase that is matched (see `fold.ts`): tokens separated by single spaces; `''` for a bare topic. */
  phrase: string;
  /** True for `-term`: an item matching it never reaches the channel. */
  exclude: boolean;
  /** The topic filter, when the term was written `topic:<topic>…`. */
  topic?: Topic;
}

/** The prefix of a topic filter. */
export const TOPIC_PREFIX = 'topic:';

/** Longest term accepted, in characters (UTF-16 code units) as typed. */
export const MAX_TERM_LENGTH = 100;
/** Most terms accepted in one input. */
export const MAX_TERMS_PER_INPUT = 50;

const SEPARATORS = new Set([' ', '\t', '\n', '\r', '\f', '\v', '\u00a0', '\u2009', '\u202f', '\u3000', ',', '，', '、']);
/** ASCII, curly and French quotes open a phrase … */
const OPEN_QUOTES = new Set(['"', '“', '”', '„', '«']);
/** … and any of these closes it, since phones mix straight and curly quotes. */
const CLOSE_QUOTES = new Set(['"', '“', '”', '»']);
/** A minus, and the dashes that phones and word processors substitute for it. */
const MINUS = new Set(['-', '−', '–']);

function isSeparator(ch: string): boolean {
  return SEPARATORS.has(ch) || /^\s$/u.test(ch);
}

/**
 * Parses what a user typed: bare words, double-quoted phrases (straight, curly or « »), a leading
 * `-` for exclusions, `$TICKER` (kept as the ticker), topic filters (`topic:crypto`,
 * `topic:crypto:tether`, see `WatchTerm`), whitespace or commas between terms.
 * Problems are returned, never thrown: an unterminated quote, an empty term, a term longer than
 * `MAX_TERM_LENGTH`, more than `MAX_TERMS_PER_INPUT` terms, a term that folds to nothing, an unknown topic. `terms`
 * holds the valid terms (the first `MAX_TERMS_PER_INPUT` at most), deduplicated, in input order;
 * a caller that wants all-or-nothing checks `errors.length`.
 */
export function parseWatchInput(input: string): { terms: WatchTerm[]; errors: string[] } {
  const terms: WatchTerm[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  let written = 0;
  const chars = [...input];
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i] ?? '';
    if (isSeparator(ch)) {
      i += 1;
      continue;
    }
    const begin = i;
    let exclude = false;
    if (MINUS.has(ch)) {
      exclude = true;
      i += 1;
    }
    let topic: Topic | undefined;
    if (chars.slice(i, i + TOPIC_PREFIX.length).join('').toLowerCase() === TOPIC_PREFIX) {
      let end = i + TOPIC_PREFIX.length;
      while (end < chars.length && chars[end] !== ':' && !isSeparator(chars[end] ?? '')) end += 1;
      const name = chars.slice(i + TOPIC_PREFIX.length, end).join('').toLowerCase();
      const known = TOPICS.find((t) => t === name);
      i = end;
      if (known === undefined) {
        while (i < chars.length && !isSeparator(chars[i] ?? '')) i += 1;
        written += 1;
        errors.push(name === '' ? `empty topic: ${chars.slice(begin, i).join('')}` : `unknown topic "${name}" (topics: ${TOPICS.join(', ')})`);
        continue;
      }
      topic = known;
      if (chars[i] !== ':') {
        written += 1;
        const key = `${exclude ? '-' : '+'}${topic}|`;
        if (!seen.has(key)) {
          seen.add(key);
          terms.push({ raw: '', phrase: '', exclude, topic });
        }
        continue;
      }
      i += 1;
    }
    let raw: string;
    const next = chars[i] ?? '';
    if (OPEN_QUOTES.has(next)) {
      let close = i + 1;
      while (close < chars.length && !CLOSE_QUOTES.has(chars[close] ?? '')) close += 1;
      if (close >= chars.length) {
        errors.push(`unterminated quote: ${chars.slice(begin).join('')}`);
        break;
      }
      raw = chars.slice(i + 1, close).join('').trim();
      i = close + 1;
    } else {
      let end = i;
      while (end < chars.length && !isSeparator(chars[end] ?? '')) end += 1;
      raw = chars.slice(i, end).join('');
      i = end;
    }
    written += 1;
    const typed = chars.slice(begin, i).join('');
    if (raw.startsWith('$')) raw = raw.slice(1);
    if (raw.trim() === '') {
      errors.push(`empty term: ${typed}`);
      continue;
    }
    if (raw.length > MAX_TERM_LENGTH) {
      errors.push(`term longer than ${MAX_TERM_LENGTH} characters: ${typed.slice(0, 30)}…`);
      continue;
    }
    const phrase = fold(raw);
    if (phrase === '') {
      errors.push(`term has no letter or digit: ${typed}`);
      continue;
    }
    const key = `${exclude ? '-' : '+'}${topic ?? ''}|${phrase}`;
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push(topic === undefined ? { raw, phrase, exclude } : { raw, phrase, exclude, topic });
  }
  if (written > MAX_TERMS_PER_INPUT) {
    errors.push(`too many terms: ${written} (at most ${MAX_TERMS_PER_INPUT} at once)`);
    terms.splice(MAX_TERMS_PER_INPUT);
  }
  return { terms, errors };
}

/**
 * The canonical text of a term, which is also its stored form: the folded phrase, quoted when it
 * has several tokens, after its topic filter if any, `-` first for an exclusion (`nvidia`,
 * `"stargate project"`, `-gaming`, `topic:crypto`, `topic:ai-chips:"stargate project"`).
 * `parseWatchInput` of this text gives the same phrase back, and two spellings of one term
 * (`NVDA`, `$nvda`) get one stored form.
 */
export function formatWatchTerm(t: WatchTerm): string {
  let body = t.phrase.includes(' ') ? `"${t.phrase}"` : t.phrase;
  if (t.topic !== undefined) body = t.phrase === '' ? `${TOPIC_PREFIX}${t.topic}` : `${TOPIC_PREFIX}${t.topic}:${body}`;
  return t.exclude ? `-${body}` : body;
}

/** What one channel wants. */
export interface ChannelRule {
  /** Items judged to have one of these topics reach the channel. */
  topics: readonly Topic[];
  /** Watch terms in stored form (see `formatWatchTerm`); raw config spellings are accepted too. */
  terms: readonly string[];
}

/** Whether one item goes to one channel, and why. */
export interface ChannelDecision {
  alert: boolean;
  /**
   * When `alert`: the include terms that matched (canonical stored form), then the topic terms
   * that decided the channel's topics (from the judgement); empty otherwise.
   */
  matched: string[];
  /** The exclusions (canonical stored form) that matched, whether or not they blocked an alert. */
  excluded: string[];
}

/** A stored term that could not be compiled; it is skipped, never matched. */
export interface InvalidTerm {
  channel: ChannelKey;
  term: string;
  errors: string[];
}

/** One channel's rule, compiled. */
export interface CompiledChannelRule {
  /** Decides one item, given its tokens (`itemTokens`) and its judgement (`classify`). */
  decide(itemTokens: readonly string[], judgement: Judgement): ChannelDecision;
  /** Stored terms that did not parse to exactly one term. */
  readonly invalid: readonly InvalidTerm[];
}

/** Every channel's rule, compiled into one matcher. */
export interface CompiledChannelRules {
  /**
   * Decides one item for every channel with a single scan of its tokens (`itemTokens`); the map
   * has one entry per channel, in the order the rules were given.
   */
  decideAll(itemTokens: readonly string[], judgement: Judgement): Map<ChannelKey, ChannelDecision>;
  /**
   * `decideAll` from the item's tokenized title and summary (`analyzeItem` has them): the same
   * decisions, without joining the parts (no term spans the boundary between them anyway).
   */
  decideAllParts(title: TokenizedText, summary: TokenizedText, judgement: Judgement): Map<ChannelKey, ChannelDecision>;
  /** Stored terms that did not parse to exactly one term, per channel. */
  readonly invalid: readonly InvalidTerm[];
}

interface CompiledChannel {
  key: ChannelKey;
  topics: ReadonlySet<Topic>;
  /** Topics whose items never reach the channel (`-topic:crypto`), with their stored forms. */
  excludedTopics: ReadonlyMap<Topic, string>;
  /** Canonical forms, indexed by the `term` of a `TermValue`. */
  forms: string[];
  hasIncludes: boolean;
}

const NONE: readonly number[] = [];

interface TermValue {
  channel: number;
  term: number;
  exclude: boolean;
  /** The term counts only on items with this topic. */
  topic: Topic | undefined;
}

/** Parses one stored term; undefined (with the reasons) unless it is exactly one valid term. */
export function parseStoredTerm(stored: string): { term: WatchTerm; errors: [] } | { term: undefined; errors: string[] } {
  const { terms, errors } = parseWatchInput(stored);
  const [term, ...rest] = terms;
  if (errors.length > 0 || term === undefined || rest.length > 0) {
    return { term: undefined, errors: errors.length > 0 ? errors : ['not exactly one term'] };
  }
  return { term, errors: [] };
}

/**
 * Compiles the rules of all channels into one phrase matcher whose values name the channel and
 * the term. A channel with neither topics nor valid include terms receives nothing. Topic terms
 * are folded in: a bare `topic:x` adds the topic to the channel's topics, `-topic:x` blocks the
 * topic's items, and a filtered term (`topic:x:term`) counts only on items judged to have topic x.
 */
export function compileChannelRules(rules: ReadonlyMap<ChannelKey, ChannelRule>): CompiledChannelRules {
  const channels: CompiledChannel[] = [];
  const entries: Array<{ phrase: string; value: TermValue }> = [];
  const invalid: InvalidTerm[] = [];
  for (const [key, rule] of rules) {
    const channel = channels.length;
    const topics = new Set<Topic>(rule.topics);
    const excludedTopics = new Map<Topic, string>();
    const compiled: CompiledChannel = { key, topics, excludedTopics, forms: [], hasIncludes: false };
    const byForm = new Map<string, number>();
    for (const stored of rule.terms) {
      const { term, errors } = parseStoredTerm(stored);
      if (term === undefined) {
        invalid.push({ channel: key, term: stored, errors });
        continue;
      }
      const form = formatWatchTerm(term);
      if (term.phrase === '' && term.topic !== undefined) {
        if (term.exclude) excludedTopics.set(term.topic, form);
        else topics.add(term.topic);
        continue;
      }
      if (byForm.has(form)) continue;
      const index = compiled.forms.length;
      byForm.set(form, index);
      compiled.forms.push(form);
      if (!term.exclude) compiled.hasIncludes = true;
      entries.push({ phrase: term.phrase, value: { channel, term: index, exclude: term.exclude, topic: term.topic } });
    }
    channels.push(compiled);
  }
  const matcher = createPhraseMatcher(entries);

  /** The decisions, given every match in item order. */
  const decisions = (matches: ReadonlyArray<PhraseMatch<TermValue>>, judgement: Judgement): Map<ChannelKey, ChannelDecision> => {
    // Only channels with a matching term get lists; the rest share the empty one.
    const includes = new Map<number, number[]>();
    const excludes = new Map<number, number[]>();
    // Matches come ordered by position, so terms are listed in the order the item mentions them.
    for (const { value } of matches) {
      if (value.topic !== undefined && !judgement.topics.includes(value.topic)) continue;
      const lists = value.exclude ? excludes : includes;
      let list = lists.get(value.channel);
      if (list === undefined) {
        list = [];
        lists.set(value.channel, list);
      }
      if (!list.includes(value.term)) list.push(value.term);
    }
    const judged = TOPICS.filter((t) => judgement.topics.includes(t));
    const out = new Map<ChannelKey, ChannelDecision>();
    channels.forEach((channel, index) => {
      const inc = includes.get(index) ?? NONE;
      const exc = excludes.get(index) ?? NONE;
      const topics = judged.filter((t) => channel.topics.has(t));
      const excluded = exc.map((t) => channel.forms[t] ?? '');
      for (const [topic, form] of channel.excludedTopics) if (judgement.topics.includes(topic)) excluded.push(form);
      const wanted = topics.length > 0 || (channel.hasIncludes && inc.length > 0);
      if (!wanted || excluded.length > 0) {
        out.set(channel.key, { alert: false, matched: [], excluded });
        return;
      }
      // Without repeats, first mention first (a set would do the same, at more cost for a few terms).
      const matched: string[] = [];
      for (const t of inc) {
        const form = channel.forms[t] ?? '';
        if (!matched.includes(form)) matched.push(form);
      }
      for (const topic of topics) {
        for (const term of judgement.topicTerms[topic]) if (!matched.includes(term)) matched.push(term);
      }
      out.set(channel.key, { alert: true, matched, excluded });
    });
    return out;
  };

  return {
    invalid,
    decideAll(itemTokens, judgement) {
      return decisions(matcher.match(itemTokens), judgement);
    },
    decideAllParts(title, summary, judgement) {
      const inTitle = matcher.match(title.tokens, title.ids);
      const inSummary = matcher.match(summary.tokens, summary.ids);
      return decisions(inSummary.length === 0 ? inTitle : inTitle.concat(inSummary), judgement);
    },
  };
}

/** Compiles one channel's rule (see `compileChannelRules`, preferred when there are several). */
export function compileChannelRule(rule: ChannelRule): CompiledChannelRule {
  const key: ChannelKey = 'channel';
  const all = compileChannelRules(new Map([[key, rule]]));
  return {
    invalid: all.invalid,
    decide(itemTokens, judgement) {
      return all.decideAll(itemTokens, judgement).get(key) ?? { alert: false, matched: [], excluded: [] };
    },
  };
}
