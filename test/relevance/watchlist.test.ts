import { describe, expect, it } from 'vitest';
import type { Judgement } from '../../src/domain.js';
import { itemTokens } from '../../src/relevance/fold.js';
import { classify } from '../../src/relevance/topics.js';
import {
  compileChannelRule,
  compileChannelRules,
  formatWatchTerm,
  MAX_TERM_LENGTH,
  MAX_TERMS_PER_INPUT,
  parseStoredTerm,
  parseWatchInput,
  type ChannelRule,
} from '../../src/relevance/watchlist.js';

describe('parseWatchInput', () => {
  it('reads bare words, quoted phrases, exclusions and tickers', () => {
    const { terms, errors } = parseWatchInput('nvidia "stargate project" -gaming $BTC NVDA -"ETH Zurich"');
    expect(errors).toEqual([]);
    expect(terms).toEqual([
      { raw: 'nvidia', phrase: 'nvidia', exclude: false },
      { raw: 'stargate project', phrase: 'stargate project', exclude: false },
      { raw: 'gaming', phrase: 'gaming', exclude: true },
      { raw: 'BTC', phrase: 'btc', exclude: false },
      { raw: 'NVDA', phrase: 'nvda', exclude: false },
      { raw: 'ETH Zurich', phrase: 'eth zurich', exclude: true },
    ]);
    expect(terms.map(formatWatchTerm)).toEqual(['nvidia', '"stargate project"', '-gaming', 'btc', 'nvda', '-"eth zurich"']);
  });

  it('accepts curly and French quotes, commas as separators, and folds accents', () => {
    const { terms, errors } = parseWatchInput('“puces IA”,Coreweave, « Centre de données » ,-$sol');
    expect(errors).toEqual([]);
    expect(terms.map(formatWatchTerm)).toEqual(['"puces ia"', 'coreweave', '"centre de donnees"', '-sol']);
  });

  it('turns a hyphenated or apostrophed bare word into a phrase', () => {
    expect(parseWatchInput("semi-conducteurs l'IA").terms.map(formatWatchTerm)).toEqual(['"semi conducteurs"', '"l ia"']);
  });

  it('dedupes spellings of one term but keeps an include and an exclusion apart', () => {
    const { terms } = parseWatchInput('NVDA $nvda nvda "NVDA" -nvda');
    expect(terms.map(formatWatchTerm)).toEqual(['nvda', '-nvda']);
  });

  it('round-trips through the stored form', () => {
    for (const input of ['nvidia', '"stargate project"', '-gaming', '-"eth zurich"', '$BTC', '“Crypto-monnaies”']) {
      const [term] = parseWatchInput(input).terms;
      expect(term).toBeDefined();
      if (term === undefined) continue;
      const again = parseStoredTerm(formatWatchTerm(term)).term;
      expect(again?.phrase).toBe(term.phrase);
      expect(again?.exclude).toBe(term.exclude);
      expect(formatWatchTerm(again ?? term)).toBe(formatWatchTerm(term));
    }
  });

  it('reports an unterminated quote', () => {
    const { terms, errors } = parseWatchInput('nvidia "stargate project');
    expect(terms.map(formatWatchTerm)).toEqual(['nvidia']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/unterminated quote/);
  });

  it('reports empty terms', () => {
    for (const input of ['-', '""', '-""', '" "', '$']) {
      const { terms, errors } = parseWatchInput(input);
      expect(terms, input).toEqual([]);
      expect(errors, input).toHaveLength(1);
      expect(errors[0], input).toMatch(/empty term/);
    }
    expect(parseWatchInput('  , ,  ')).toEqual({ terms: [], errors: [] });
  });

  it('reports a term longer than the limit', () => {
    const long = 'a'.repeat(MAX_TERM_LENGTH + 1);
    const { terms, errors } = parseWatchInput(`ok "${long}"`);
    expect(terms.map(formatWatchTerm)).toEqual(['ok']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/longer than 100/);
    expect(parseWatchInput('a'.repeat(MAX_TERM_LENGTH)).errors).toEqual([]);
  });

  it('reports more terms than the limit in one input', () => {
    const words = Array.from({ length: MAX_TERMS_PER_INPUT + 1 }, (_, i) => `w${i}`).join(' ');
    const { terms, errors } = parseWatchInput(words);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/too many terms: 51/);
    expect(terms).toHaveLength(MAX_TERMS_PER_INPUT);
    expect(parseWatchInput(words.split(' ').slice(0, MAX_TERMS_PER_INPUT).join(' ')).errors).toEqual([]);
  });

  it('reports a term that folds to nothing', () => {
    const { terms, errors } = parseWatchInput('@@@ -!!! bitcoin');
    expect(terms.map(formatWatchTerm)).toEqual(['bitcoin']);
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toMatch(/no letter or digit/);
  });
});

function item(title: string, summary = ''): { tokens: string[]; judgement: Judgement } {
  return { tokens: itemTokens({ title, summary }), judgement: classify({ title, summary }) };
}

describe('compileChannelRule', () => {
  it('alerts on a topic, explaining with the topic terms', () => {
    const rule = compileChannelRule({ topics: ['crypto'], terms: [] });
    const { tokens, judgement } = item('Bitcoin et XRP s’effondrent');
    expect(rule.decide(tokens, judgement)).toEqual({ alert: true, matched: ['Bitcoin', 'XRP'], excluded: [] });
    const other = item('La Chine autorise les géants de la tech à commander des puces IA de Nvidia');
    expect(rule.decide(other.tokens, other.judgement).alert).toBe(false);
  });

  it('alerts on an include term alone, as a whole-token phrase', () => {
    const rule = compileChannelRule({ topics: [], terms: ['"stargate project"', 'Robinhood'] });
    const hit = item('Le PDG de Robinhood : L’IA crée de l’emploi', 'Update on the Stargate Project');
    expect(rule.decide(hit.tokens, hit.judgement)).toEqual({
      alert: true,
      matched: ['robinhood', '"stargate project"'],
      excluded: [],
    });
    const miss = item('Robinhoods everywhere', 'Stargate: the project');
    expect(rule.decide(miss.tokens, miss.judgement).alert).toBe(false);
  });

  it('does not match a phrase across title and summary', () => {
    const rule = compileChannelRule({ topics: [], terms: ['"stargate project"'] });
    const { tokens, judgement } = item('News about Stargate', 'Project timelines slip');
    expect(rule.decide(tokens, judgement).alert).toBe(false);
  });

  it('alerts on topic OR term, and lists the include terms before the topic terms', () => {
    const rule = compileChannelRule({ topics: ['ai-chips'], terms: ['h200'] });
    const { tokens, judgement } = item('Alibaba et Tencent peuvent commander les H200 de Nvidia');
    expect(rule.decide(tokens, judgement)).toEqual({ alert: true, matched: ['h200', 'H200', 'Nvidia'], excluded: [] });
  });

  it('lets an exclusion win over topics and terms', () => {
    const rule = compileChannelRule({ topics: ['ai-chips'], terms: ['nvidia', '-gaming', '-"eth zurich"'] });
    const gaming = item('Nvidia earnings beat on gaming', 'Data center revenue doubles');
    expect(gaming.judgement.topics).toEqual(['ai-chips']);
    expect(rule.decide(gaming.tokens, gaming.judgement)).toEqual({ alert: false, matched: [], excluded: ['-gaming'] });
    const zurich = item('ETH Zürich builds an AI supercomputer with Nvidia GPUs');
    expect(rule.decide(zurich.tokens, zurich.judgement)).toEqual({ alert: false, matched: [], excluded: ['-"eth zurich"'] });
    const plain = item('Nvidia ships Blackwell Ultra');
    expect(rule.decide(plain.tokens, plain.judgement).alert).toBe(true);
  });

  it('sends nothing to a channel with neither topics nor include terms', () => {
    const onlyExclusions = compileChannelRule({ topics: [], terms: ['-gaming'] });
    const empty = compileChannelRule({ topics: [], terms: [] });
    const { tokens, judgement } = item('Bitcoin ETF inflows and Nvidia H200 exports', 'anything at all');
    expect(onlyExclusions.decide(tokens, judgement)).toEqual({ alert: false, matched: [], excluded: [] });
    expect(empty.decide(tokens, judgement)).toEqual({ alert: false, matched: [], excluded: [] });
  });

  it('skips stored terms that are not exactly one valid term, and says so', () => {
    const rule = compileChannelRule({ topics: [], terms: ['"unterminated', '@@@', 'two words', 'xrp'] });
    expect(rule.invalid.map((i) => i.term)).toEqual(['"unterminated', '@@@', 'two words']);
    const { tokens, judgement } = item('XRP rallies');
    expect(rule.decide(tokens, judgement)).toEqual({ alert: true, matched: ['xrp'], excluded: [] });
  });
});

describe('compileChannelRules', () => {
  it('decides every channel from one scan, each with its own rule', () => {
    const rules = new Map<string, ChannelRule>([
      ['slack:C1', { topics: ['ai-chips'], terms: [] }],
      ['slack:C2', { topics: ['crypto'], terms: ['-xrp'] }],
      ['discord:D1', { topics: [], terms: ['coreweave', 'XRP'] }],
      ['console:all', { topics: ['ai-chips', 'crypto'], terms: ['-"potato chips"'] }],
      ['console:none', { topics: [], terms: [] }],
    ]);
    const compiled = compileChannelRules(rules);
    const { tokens, judgement } = item('Nvidia to invest $2bn more in CoreWeave', 'XRP and Bitcoin slide');
    expect(judgement.topics).toEqual(['ai-chips', 'crypto']);
    const decisions = compiled.decideAll(tokens, judgement);
    expect([...decisions.keys()]).toEqual(['slack:C1', 'slack:C2', 'discord:D1', 'console:all', 'console:none']);
    expect(decisions.get('slack:C1')).toEqual({ alert: true, matched: ['Nvidia', 'CoreWeave'], excluded: [] });
    expect(decisions.get('slack:C2')).toEqual({ alert: false, matched: [], excluded: ['-xrp'] });
    expect(decisions.get('discord:D1')).toEqual({ alert: true, matched: ['coreweave', 'xrp'], excluded: [] });
    expect(decisions.get('console:all')).toEqual({
      alert: true,
      matched: ['Nvidia', 'CoreWeave', 'XRP', 'Bitcoin'],
      excluded: [],
    });
    expect(decisions.get('console:none')).toEqual({ alert: false, matched: [], excluded: [] });
  });

  it('stays correct with thousands of channels and terms', () => {
    const rules = new Map<string, ChannelRule>();
    for (let i = 0; i < 2_000; i++) rules.set(`console:c${i}`, { topics: [], terms: [`ticker${i}`, `"company ${i}"`, '-spam'] });
    const compiled = compileChannelRules(rules);
    const { tokens, judgement } = item('ticker17 and Company 1999 report', 'nothing else');
    const alerted = [...compiled.decideAll(tokens, judgement)].filter(([, d]) => d.alert).map(([k, d]) => [k, d.matched]);
    expect(alerted).toEqual([
      ['console:c17', ['ticker17']],
      ['console:c1999', ['"company 1999"']],
    ]);
    const spam = item('ticker17 spam');
    expect([...compiled.decideAll(spam.tokens, spam.judgement).values()].some((d) => d.alert)).toBe(false);
  });
});

describe('topic filters', () => {
  it('parses a bare topic, a filtered term and their exclusions, with canonical stored forms', () => {
    const { terms, errors } = parseWatchInput('topic:crypto Topic:AI-Chips:"Stargate Project" -topic:crypto:$XRP -topic:ai-chips topic:crypto:tether');
    expect(errors).toEqual([]);
    expect(terms).toEqual([
      { raw: '', phrase: '', exclude: false, topic: 'crypto' },
      { raw: 'Stargate Project', phrase: 'stargate project', exclude: false, topic: 'ai-chips' },
      { raw: 'XRP', phrase: 'xrp', exclude: true, topic: 'crypto' },
      { raw: '', phrase: '', exclude: true, topic: 'ai-chips' },
      { raw: 'tether', phrase: 'tether', exclude: false, topic: 'crypto' },
    ]);
    expect(terms.map(formatWatchTerm)).toEqual(['topic:crypto', 'topic:ai-chips:"stargate project"', '-topic:crypto:xrp', '-topic:ai-chips', 'topic:crypto:tether']);
    for (const term of terms) expect(parseStoredTerm(formatWatchTerm(term)).term).toEqual(term.topic === undefined ? term : { ...term, raw: term.raw.toLowerCase() });
  });

  it('keeps a topic filter apart from the plain term and dedupes spellings', () => {
    const { terms } = parseWatchInput('tether topic:crypto:tether topic:crypto:$TETHER topic:crypto TOPIC:crypto');
    expect(terms.map(formatWatchTerm)).toEqual(['tether', 'topic:crypto:tether', 'topic:crypto']);
  });

  it('reports unknown and empty topics, and a filter without a term', () => {
    const { terms, errors } = parseWatchInput('topic:weather topic: topic:crypto: nvidia');
    expect(terms.map(formatWatchTerm)).toEqual(['nvidia']);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/unknown topic "weather" \(topics: ai-chips, crypto\)/);
    expect(errors[1]).toMatch(/empty topic/);
    expect(errors[2]).toMatch(/empty term/);
  });

  it('leaves a quoted "topic:…" as a plain phrase', () => {
    expect(parseWatchInput('"topic:crypto"').terms.map(formatWatchTerm)).toEqual(['"topic crypto"']);
  });

  it('subscribes a channel to a topic given as a term', () => {
    const rule = compileChannelRule({ topics: [], terms: ['topic:crypto'] });
    const hit = item('Bitcoin et XRP s’effondrent');
    expect(rule.decide(hit.tokens, hit.judgement)).toEqual({ alert: true, matched: ['Bitcoin', 'XRP'], excluded: [] });
    const miss = item('Nvidia ships Blackwell Ultra');
    expect(rule.decide(miss.tokens, miss.judgement).alert).toBe(false);
  });

  it('matches a filtered term only on items of its topic', () => {
    const rule = compileChannelRule({ topics: [], terms: ['topic:crypto:tether'] });
    const crypto = item('Tether mints $1 billion of USDT');
    expect(crypto.judgement.topics).toEqual(['crypto']);
    expect(rule.decide(crypto.tokens, crypto.judgement)).toEqual({ alert: true, matched: ['topic:crypto:tether'], excluded: [] });
    const drone = item('A drone on a tether cable films the race');
    expect(drone.judgement.topics).toEqual([]);
    expect(rule.decide(drone.tokens, drone.judgement).alert).toBe(false);
  });

  it('blocks a topic, or a term only on a topic, when excluded', () => {
    const rules = compileChannelRules(
      new Map<string, ChannelRule>([
        ['console:no-crypto', { topics: [], terms: ['nvidia', '-topic:crypto'] }],
        ['console:chips', { topics: ['ai-chips'], terms: ['-topic:ai-chips:gaming'] }],
      ]),
    );
    const both = item('Nvidia and bitcoin slump together');
    expect(both.judgement.topics).toEqual(['ai-chips', 'crypto']);
    expect(rules.decideAll(both.tokens, both.judgement).get('console:no-crypto')).toEqual({ alert: false, matched: [], excluded: ['-topic:crypto'] });
    const chips = item('Nvidia data center sales soar while gaming slows');
    expect(rules.decideAll(chips.tokens, chips.judgement).get('console:no-crypto')?.alert).toBe(true);
    expect(rules.decideAll(chips.tokens, chips.judgement).get('console:chips')).toEqual({ alert: false, matched: [], excluded: ['-topic:ai-chips:gaming'] });
    const review = item('Gaming laptops of the year');
    expect(rules.decideAll(review.tokens, review.judgement).get('console:chips')).toEqual({ alert: false, matched: [], excluded: [] });
  });
});
