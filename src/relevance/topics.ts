// The topic judge: curated English and French dictionaries per topic, and the rule that turns
// the terms found in an item into a decision. Pure and fast: every dictionary is compiled into
// one phrase matcher at import, and an item is scanned once.
import { TOPICS, type Judgement, type Topic } from '../domain.js';
import { fold, tokenSpans } from './fold.js';
import { createPhraseMatcher } from './phrase-matcher.js';

/**
 * A list of terms. An entry is a term, or a group of spellings of one term (singular/plural,
 * English/French) that count once when the rule needs "two distinct" terms.
 */
export type TermList = readonly (string | readonly string[])[];

/**
 * What one topic listens for. Terms are written naturally (accents, apostrophes, hyphens are
 * folded away at compile time, see `fold.ts`).
 *
 * Decision: a topic holds when the item has
 * - a `strong` term, or
 * - two distinct `weak` terms, or
 * - one `weak` term and a `qualifier`, an `entity` or a `lab`, or
 * - a `lab` and a `funding` term,
 * after `negatives` have masked the tokens they cover, and unless a `veto.when` term is present
 * with no `veto.unless` term.
 */
export interface TopicLexicon {
  /** Unambiguous: decide alone. */
  readonly strong: TermList;
  /** Context words, ambiguous alone: need a second distinct weak term or a qualifier/entity/lab. */
  readonly weak: TermList;
  /** Say what the context is about (e.g. "AI"); never decide, even together. */
  readonly qualifiers: TermList;
  /** Names that are often about something else (Oracle, Intel, Amazon): decide only with a weak term. */
  readonly entities: TermList;
  /** Names whose money becomes compute (OpenAI): decide with a weak term or a funding term. */
  readonly labs: TermList;
  /** Money words; count only with a lab. */
  readonly funding: TermList;
  /** Phrases whose tokens cannot count for this topic ("potato chips", "ETH Zurich"). */
  readonly negatives: readonly string[];
  /** A context that cancels the topic unless an angle that belongs to it is present (gaming GPU reviews). */
  readonly veto: { readonly when: TermList; readonly unless: TermList } | null;
}

const DATA_CENTER = [
  'data center',
  'data centers',
  'data centre',
  'data centres',
  'datacenter',
  'datacenters',
  'datacentre',
  'datacentres',
  'centre de données',
  'centres de données',
  'mégadatacenter',
  'mégadatacenters',
  'méga datacenter',
  'AI factory',
  'AI factories',
  "usine d'IA",
  "usines d'IA",
] as const;

const AI_QUALIFIERS = [
  ['AI', 'IA', 'A.I.'],
  ['artificial intelligence', 'intelligence artificielle'],
  ['generative AI', 'GenAI', 'IA générative'],
  ['LLM', 'LLMs', 'large language model', 'large language models', 'grand modèle de langage', 'grands modèles de langage'],
  ['machine learning', 'deep learning', 'apprentissage automatique', 'apprentissage profond'],
  ['AI model', 'AI models', "modèle d'IA", "modèles d'IA"],
  ['AI training', 'AI inference', 'inference', 'inférence'],
] as const;

/** The dictionaries, per topic. */
export const LEXICON = {
  'ai-chips': {
    strong: [
      'Nvidia',
      'NVDA',
      'AMD',
      'TSMC',
      'Broadcom',
      'ASML',
      'SK Hynix',
      'Hynix',
      'SMIC',
      'CoreWeave',
      'CRWV',
      'Nebius',
      'Cerebras',
      'Groq',
      'SambaNova',
      'Tenstorrent',
      'Graphcore',
      'H100',
      'H100s',
      'H200',
      'H200s',
      'H20',
      'B100',
      'B200',
      'B200s',
      'B300',
      'GB200',
      'GB300',
      'Blackwell',
      'Vera Rubin',
      'Rubin GPU',
      'Rubin GPUs',
      'Rubin Ultra',
      'Hopper GPU',
      'Hopper GPUs',
      'Grace Hopper superchip',
      'Grace Blackwell',
      'DGX',
      'NVLink',
      'MI300',
      'MI300X',
      'MI300A',
      'MI325X',
      'MI350',
      'MI350X',
      'MI355X',
      'MI400',
      'MI450',
      'TPU',
      'TPUs',
      'Trainium',
      'Trainium2',
      'Trainium3',
      'Inferentia',
      'Inferentia2',
      'Intel Gaudi',
      'Gaudi 2',
      'Gaudi 3',
      'Gaudi2',
      'Gaudi3',
      'Huawei Ascend',
      'Ascend 910B',
      'Ascend 910C',
      'HBM',
      'HBM3',
      'HBM3E',
      'HBM4',
      'high bandwidth memory',
      'CUDA',
      'AI chip',
      'AI chips',
      'AI chipmaker',
      'AI chipmakers',
      'AI accelerator',
      'AI accelerators',
      'AI GPU',
      'AI GPUs',
      'AI processor',
      'AI processors',
      'AI semiconductor',
      'AI semiconductors',
      'AI supercomputer',
      'AI supercomputers',
      'AI data center',
      'AI data centers',
      'AI datacenter',
      'AI datacenters',
      'puce IA',
      'puces IA',
      "puce d'IA",
      "puces d'IA",
      "puce d'intelligence artificielle",
      "puces d'intelligence artificielle",
      "puces pour l'IA",
      'processeur IA',
      'processeurs IA',
      'accélérateur IA',
      'accélérateurs IA',
      'semiconductor',
      'semiconductors',
      'semi-conductor',
      'semi-conductors',
      'semi-conducteur',
      'semi-conducteurs',
      'semiconducteur',
      'semiconducteurs',
      'chipmaker',
      'chipmakers',
      'chip maker',
      'chip makers',
      'chip designer',
      'fabricant de puces',
      'fabricants de puces',
      'fondeur de puces',
      'CHIPS Act',
      'CHIPS and Science Act',
      'compute deal',
      'compute deals',
      'Stargate project',
      'projet Stargate',
      'Stargate UAE',
      'Jensen Huang',
      'Lisa Su',
    ],
    weak: [
      ['GPU', 'GPUs', 'graphics processor', 'graphics processors', 'processeur graphique', 'processeurs graphiques'],
      ['chip', 'chips', 'microchip', 'microchips', 'puce', 'puces', 'micropuce', 'micropuces', 'superchip'],
      ['processor', 'processors', 'processeur', 'processeurs', 'CPU', 'CPUs'],
      DATA_CENTER,
      ['gigawatt', 'gigawatts'],
      [
        'export controls',
        'export control',
        'export curbs',
        'export restrictions',
        'export ban',
        'export licence',
        'export license',
        'export licenses',
        "contrôles à l'exportation",
        "contrôle à l'exportation",
        'contrôle des exportations',
        'contrôles des exportations',
        "restrictions à l'exportation",
        "restrictions d'exportation",
      ],
      [
        'compute',
        'computing power',
        'compute capacity',
        'puissance de calcul',
        'capacité de calcul',
        'capacités de calcul',
        'calcul intensif',
      ],
      ['supercomputer', 'supercomputers', 'supercalculateur', 'supercalculateurs'],
      ['foundry', 'foundries', 'fonderie', 'fonderies'],
      ['hyperscaler', 'hyperscalers'],
      ['Stargate'],
      ['Hopper'],
      ['Rubin'],
    ],
    qualifiers: AI_QUALIFIERS,
    entities: [
      ['Oracle', 'ORCL'],
      ['Microsoft', 'MSFT', 'Azure'],
      ['Amazon', 'AWS', 'AMZN'],
      ['Google', 'Alphabet', 'GOOGL'],
      ['Meta'],
      ['Intel', 'INTC'],
      ['Alibaba'],
      ['Tencent'],
      ['Baidu'],
      ['ByteDance'],
      ['Huawei'],
      ['Samsung'],
      ['Micron'],
      ['Qualcomm'],
      ['Arm Holdings', 'Arm'],
      ['SoftBank'],
      ['Supermicro', 'Super Micro'],
    ],
    labs: [['OpenAI'], ['Anthropic'], ['xAI'], ['Mistral AI']],
    funding: [
      [
        'invest',
        'invests',
        'invested',
        'investing',
        'investment',
        'investments',
        'investir',
        'investit',
        'investi',
        'investira',
        'investirait',
        'investissement',
        'investissements',
      ],
      ['funding', 'funding round', 'fundraising', 'financement', 'tour de financement', 'levée de fonds'],
      ['stake', 'stakes'],
    ],
    negatives: [
      'potato chips',
      'potato chip',
      'chocolate chip',
      'chocolate chips',
      'tortilla chips',
      'corn chips',
      'kale chips',
      'banana chips',
      'fish and chips',
      "fish 'n' chips",
      'poker chips',
      'poker chip',
      'casino chips',
      'blue chip',
      'blue chips',
      'blue-chip',
      'paquet de chips',
      'sachet de chips',
      'marché aux puces',
      'marchés aux puces',
      'puces de lit',
      'payment processor',
      'payment processors',
      'food processor',
      'food processors',
      'word processor',
      'processeur de paiement',
      'processeurs de paiement',
      'Oracle of Delphi',
      'oracle de Delphes',
      "oracle d'Omaha",
      'Oracle of Omaha',
      // French "j'ai" folds to "j ai": the verb, not AI.
      "j'ai",
      "n'ai",
      "qu'ai",
    ],
    veto: {
      when: [
        ['gaming', 'gamer', 'gamers'],
        ['GeForce', 'RTX', 'Radeon RX'],
        ['jeu vidéo', 'jeux vidéo', 'video game', 'video games', 'videogame', 'videogames'],
        ['graphics card', 'graphics cards', 'carte graphique', 'cartes graphiques'],
        ['esports', 'e-sports', 'fps', 'frame rate', 'frames per second', 'ray tracing', 'DLSS'],
        ['PlayStation', 'Xbox', 'Nintendo', 'Steam Deck'],
      ],
      unless: [
        ...AI_QUALIFIERS,
        DATA_CENTER,
        ['H100', 'H200', 'H20', 'B200', 'GB200', 'GB300', 'MI300X', 'MI355X', 'HBM', 'TPU', 'CoreWeave', 'CUDA'],
        ['OpenAI', 'Anthropic', 'xAI'],
        ['export controls', 'export restrictions', "contrôles à l'exportation"],
        ['China', 'Chine'],
        ['earnings', 'revenue', 'shares', 'stock', 'stocks', 'résultats', "chiffre d'affaires", 'bourse'],
      ],
    },
  },
  crypto: {
    strong: [
      'Bitcoin',
      'Bitcoins',
      'BTC',
      'Ether',
      'Ethereum',
      'ETH',
      'XRP',
      'Solana',
      'Cardano',
      'Litecoin',
      'Dogecoin',
      'altcoin',
      'altcoins',
      'memecoin',
      'memecoins',
      'stablecoin',
      'stablecoins',
      'USDT',
      'USDC',
      'crypto',
      'cryptos',
      'cryptocurrency',
      'cryptocurrencies',
      'cryptomonnaie',
      'cryptomonnaies',
      'crypto-monnaie',
      'crypto-monnaies',
      'cryptoactif',
      'cryptoactifs',
      'crypto-actif',
      'crypto-actifs',
      'crypto asset',
      'crypto assets',
      'cryptoasset',
      'cryptoassets',
      'crypto exchange',
      'crypto exchanges',
      'Binance',
      'Coinbase',
      'Bitcoin ETF',
      'Ethereum ETF',
      'Ripple Labs',
      'Satoshi Nakamoto',
      'MicroStrategy',
      'Michael Saylor',
    ],
    weak: [
      ['blockchain', 'blockchains'],
      ['Ripple'],
      ['Tether'],
      ['Kraken'],
      ['spot ETF', 'spot ETFs', 'ETF spot', 'ETF au comptant'],
      ['MiCA'],
      ['SEC'],
      ['liquidation', 'liquidations'],
      ['NFT', 'NFTs'],
      // "défi" (challenge) folds to "defi" too: weak only.
      ['DeFi'],
      ['Web3'],
      ['halving'],
      ['digital assets', 'digital asset', 'actifs numériques'],
      ["plateforme d'échange", "plateformes d'échange"],
      ['token', 'tokens', 'jeton', 'jetons'],
    ],
    qualifiers: [],
    entities: [],
    labs: [],
    funding: [],
    negatives: [
      'ETH Zurich',
      'ETH Zuerich',
      'ETH de Zurich',
      'ETH Lausanne',
      'ripple effect',
      'ripple effects',
      'effet ripple',
      'Solana Beach',
      'into the ether',
      'in the ether',
      'diethyl ether',
      'Crypto.com Arena',
      'post-quantum crypto',
      'crypto library',
      'crypto wars',
      'Kraken Robotics',
      'Seattle Kraken',
    ],
    veto: null,
  },
} as const satisfies Record<Topic, TopicLexicon>;

type TermClass = 'strong' | 'weak' | 'qualifiers' | 'entities' | 'labs' | 'funding' | 'vetoWhen' | 'vetoUnless' | 'negative';

interface TermRef {
  topic: Topic;
  cls: TermClass;
  /** Index of the group within its class: spellings of one term share it. */
  group: number;
}

function* lexiconEntries(lexicon: Readonly<Record<Topic, TopicLexicon>>): Generator<{ phrase: string; value: TermRef }> {
  for (const topic of TOPICS) {
    const lex = lexicon[topic];
    const lists: Array<[TermClass, TermList]> = [
      ['strong', lex.strong],
      ['weak', lex.weak],
      ['qualifiers', lex.qualifiers],
      ['entities', lex.entities],
      ['labs', lex.labs],
      ['funding', lex.funding],
      ['negative', lex.negatives],
    ];
    if (lex.veto !== null) lists.push(['vetoWhen', lex.veto.when], ['vetoUnless', lex.veto.unless]);
    for (const [cls, list] of lists) {
      for (const [group, entry] of list.entries()) {
        const spellings = typeof entry === 'string' ? [entry] : entry;
        for (const phrase of spellings) yield { phrase, value: { topic, cls, group } };
      }
    }
  }
}

// Values are interned per (topic, class, group) so the matcher's per-phrase dedupe works by identity.
function internedEntries(lexicon: Readonly<Record<Topic, TopicLexicon>>): Array<{ phrase: string; value: TermRef }> {
  const interned = new Map<string, TermRef>();
  return [...lexiconEntries(lexicon)].map(({ phrase, value }) => {
    const id = `${value.topic}/${value.cls}/${value.group}`;
    let ref = interned.get(id);
    if (ref === undefined) {
      ref = value;
      interned.set(id, ref);
    }
    return { phrase, value: ref };
  });
}

const matcher = createPhraseMatcher(internedEntries(LEXICON));

interface Hit {
  ref: TermRef;
  /** The term as written in the item. */
  text: string;
  /** 0 for the title, 1 for the summary: hits never span both. */
  part: number;
  start: number;
  end: number;
}

function scan(text: string, part: number, hits: Hit[]): void {
  const spans = tokenSpans(text);
  const found = matcher.match(spans.map((s) => s.token));
  const masks = found.filter((m) => m.value.cls === 'negative');
  for (const m of found) {
    if (m.value.cls === 'negative') continue;
    const masked = masks.some((n) => n.value.topic === m.value.topic && n.start < m.end && m.start < n.end);
    if (masked) continue;
    const first = spans[m.start];
    const last = spans[m.end - 1];
    if (first === undefined || last === undefined) continue;
    hits.push({ ref: m.value, text: text.slice(first.start, last.end), part, start: m.start, end: m.end });
  }
}

/** The decisive terms in item order, without repeats and without terms nested in a longer one. */
function explain(hits: readonly Hit[]): string[] {
  const ordered = [...hits].sort((a, b) => a.part - b.part || a.start - b.start || b.end - a.end);
  const out: string[] = [];
  const seen = new Set<string>();
  let cover: Hit | undefined;
  for (const h of ordered) {
    if (cover !== undefined && cover.part === h.part && h.start >= cover.start && h.end <= cover.end) continue;
    cover = h;
    const key = fold(h.text);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(h.text);
  }
  return out;
}

/** The decisive terms of one topic, or undefined when the topic does not hold. */
function decide(hits: readonly Hit[]): string[] | undefined {
  const by = (cls: TermClass): Hit[] => hits.filter((h) => h.ref.cls === cls);
  const distinct = (list: readonly Hit[]): number => new Set(list.map((h) => h.ref.group)).size;
  const strong = by('strong');
  const weak = by('weak');
  const qualifiers = by('qualifiers');
  const entities = by('entities');
  const labs = by('labs');
  const funding = by('funding');

  if (by('vetoWhen').length > 0 && by('vetoUnless').length === 0) return undefined;
  if (strong.length > 0) return explain(strong);
  const weakWithName = weak.length > 0 && entities.length + labs.length > 0;
  if (distinct(weak) >= 2 || weakWithName) return explain([...weak, ...entities, ...labs]);
  if (weak.length > 0 && qualifiers.length > 0) return explain([...weak, ...qualifiers]);
  if (labs.length > 0 && funding.length > 0) return explain([...labs, ...funding]);
  return undefined;
}

/**
 * Judges one item against every topic. Topics come back in `TOPICS` order, each at most once;
 * `topicTerms` has an entry for every topic (empty when it does not hold) listing the terms that
 * decided it as written in the item (title first, then summary).
 */
export function classify(item: { readonly title: string; readonly summary: string }): Judgement {
  const hits: Hit[] = [];
  scan(item.title, 0, hits);
  scan(item.summary, 1, hits);
  const topics: Topic[] = [];
  const topicTerms: Record<Topic, string[]> = { 'ai-chips': [], crypto: [] };
  for (const topic of TOPICS) {
    const terms = decide(hits.filter((h) => h.ref.topic === topic));
    if (terms === undefined) continue;
    topics.push(topic);
    topicTerms[topic] = terms;
  }
  return { topics, topicTerms };
}
