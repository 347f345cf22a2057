// The topic judge: curated English and French dictionaries per topic plus the entity dictionary
// (entities.ts), and the rules that turn the terms found in an item into a decision. Pure and
// fast: everything is compiled into one phrase matcher at import, and an item is scanned once.
import { TOPICS, type Judgement, type Topic } from '../domain.js';
import { ENTITIES, SENSES } from './entities.js';
import { fold, tokenize, type TokenizedText } from './fold.js';
import { createPhraseMatcher } from './phrase-matcher.js';

/**
 * A list of terms. An entry is a term, or a group of spellings of one term (singular/plural,
 * English/French) that count once when a rule needs "two distinct" terms. A leading `=` makes a
 * spelling case-sensitive (see `EntityDef.names`).
 */
export type TermList = readonly (string | readonly string[])[];

/**
 * What one topic listens for, besides the names of the entity dictionary. Terms are written
 * naturally (accents, apostrophes, hyphens are folded away at compile time, see `fold.ts`).
 *
 * Decision, after `negatives` have masked the tokens they cover, after names used in another
 * sense are dropped (`EntityDef.unlessSense`) and after a term nested in a longer one is dropped
 * (« premier fabricant mondial de cartes graphiques » is a name, not a gaming word): a topic holds
 * when the item has
 * - a `strong` term or a strong name, or
 * - two distinct `weak` terms, or
 * - one `weak` term and a `qualifier`, a name of any role, or
 * - an ambiguous name (Intel, Ripple) and a `business` word or a `qualifier`, or
 * - a lab name and a `funding` word, or a lab, a platform name and a deal word,
 * unless a `veto.when` term is present with no `veto.unless` term.
 */
export interface TopicLexicon {
  /** Unambiguous: decide alone. */
  readonly strong: TermList;
  /** Context words, ambiguous alone: need a second distinct weak term, a qualifier or a name. */
  readonly weak: TermList;
  /** Say what the context is about (e.g. "AI"); never decide, even together. */
  readonly qualifiers: TermList;
  /** Company-news words (shares, earnings, stake): turn an ambiguous name into the company. */
  readonly business: TermList;
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
  'centre de donnees',
  'mégadatacenter',
  'mégadatacenters',
  'méga datacenter',
  'campus',
  'AI factory',
  'AI factories',
  "usine d'IA",
  "usines d'IA",
  "usines d'intelligence artificielle",
  "usine d'intelligence artificielle",
] as const;

const AI_QUALIFIERS = [
  ['AI', 'IA', 'A.I.'],
  ['artificial intelligence', 'intelligence artificielle'],
  ['generative AI', 'GenAI', 'IA générative'],
  ['LLM', 'LLMs', 'large language model', 'large language models', 'grand modèle de langage', 'grands modèles de langage'],
  ['machine learning', 'deep learning', 'apprentissage automatique', 'apprentissage profond'],
  ['AI model', 'AI models', "modèle d'IA", "modèles d'IA"],
  ['AI training', 'AI inference', 'inference', 'inférence', 'training clusters'],
] as const;

const BUSINESS = [
  ['shares', 'share price', 'stock', 'stocks', 'action', 'actions', 'titre', 'Bourse', 'market value', 'market cap', 'capitalisation', 'capitalization'],
  ['earnings', 'results', 'résultats', 'quarter', 'quarterly', 'trimestre', 'trimestriel', 'trimestrielle'],
  ['revenue', 'revenues', 'sales', 'profit', 'profits', 'loss', 'ventes', "chiffre d'affaires", 'bénéfice', 'bénéfices', 'perte', 'pertes'],
  ['forecast', 'forecasts', 'guidance', 'outlook', 'prévisions', 'prévision', 'objectifs'],
  ['CEO', 'chief executive', 'PDG', 'directeur général', 'patron'],
  ['stake', 'stakes', 'participation', 'capital', 'takeover', 'acquisition', 'acquire', 'acquires', 'rachat', 'rachète', 'buyout'],
  ['invest', 'invests', 'investment', 'investir', 'investit', 'investissement', 'raises', 'raised', 'lève', 'levée', 'valuation', 'valued', 'valorisation', 'valorisée', 'valorisé'],
  ['layoffs', 'job cuts', 'licenciements', 'suppressions de postes', 'plant', 'factory', 'usine', 'foundry', 'fonderie'],
  ['IPO', 'introduction en Bourse', 'listing', 'cotation'],
  ['deal', 'deals', 'contract', 'accord', 'contrat', 'partnership', 'partenariat'],
] as const;

/** The group of `BUSINESS` that names a deal: with a lab and a platform it makes a compute deal. */
const DEAL_GROUP = `business:${BUSINESS.length - 1}`;

/** The dictionaries, per topic (names live in entities.ts). */
export const LEXICON = {
  'ai-chips': {
    strong: [
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
      'AI data centre',
      'AI data centres',
      'AI datacenter',
      'AI datacenters',
      'AI compute',
      'AI computing power',
      'AI servers',
      'AI server',
      'GPU cloud',
      'GPU clouds',
      'neocloud',
      'neoclouds',
      'puce IA',
      'puces IA',
      "puce d'IA",
      "puces d'IA",
      "puce d'intelligence artificielle",
      "puces d'intelligence artificielle",
      "puces pour l'IA",
      "puces dédiées à l'IA",
      'processeur IA',
      'processeurs IA',
      'accélérateur IA',
      'accélérateurs IA',
      "accélérateurs d'IA",
      "centres de données d'IA",
      "centre de données d'IA",
      'centres de données IA',
      "datacenter d'IA",
      "datacenters d'IA",
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
      'chip designers',
      'chip giant',
      'fabricant de puces',
      'fabricants de puces',
      'fondeur de puces',
      'concepteur de puces',
      'CHIPS Act',
      'CHIPS and Science Act',
      'compute deal',
      'compute deals',
      'Stargate project',
      'projet Stargate',
      'Stargate UAE',
      'superchip',
      'superchips',
    ],
    weak: [
      ['GPU', 'GPUs', 'graphics processor', 'graphics processors', 'processeur graphique', 'processeurs graphiques'],
      ['chip', 'chips', 'microchip', 'microchips', 'puce', 'puces', 'micropuce', 'micropuces', 'chiplet', 'chiplets'],
      ['processor', 'processors', 'processeur', 'processeurs', 'CPU', 'CPUs'],
      ['accelerator', 'accelerators', 'accélérateur', 'accélérateurs'],
      DATA_CENTER,
      ['gigawatt', 'gigawatts', 'GW', 'megawatt', 'megawatts', 'mégawatt', 'mégawatts', 'MW'],
      [
        'export controls',
        'export control',
        'export curbs',
        'export restrictions',
        'export ban',
        'export licence',
        'export licences',
        'export license',
        'export licenses',
        "contrôles à l'exportation",
        "contrôle à l'exportation",
        'contrôle des exportations',
        'contrôles des exportations',
        "restrictions à l'exportation",
        "restrictions d'exportation",
        "licences d'exportation",
        "licence d'exportation",
        'curbs on shipments',
        'shipments of advanced',
      ],
      [
        'compute',
        'computing power',
        'compute capacity',
        'computing capacity',
        'puissance de calcul',
        'capacité de calcul',
        'capacités de calcul',
        'calcul intensif',
      ],
      ['supercomputer', 'supercomputers', 'supercalculateur', 'supercalculateurs'],
      ['foundry', 'foundries', 'fonderie', 'fonderies', 'fondeur', 'fondeurs'],
      ['hyperscaler', 'hyperscalers'],
      ['AI infrastructure', 'AI infra', "infrastructure d'IA", 'infrastructures d IA', 'infrastructure IA'],
      ['AI cloud', 'cloud deal', 'cloud contract', 'cloud computing deal', 'computing deal', 'cloud provider', 'fournisseur de cloud', 'contrat de cloud'],
      ['Stargate'],
      ['Hopper'],
      ['Rubin'],
      ['wafer', 'wafers', 'lithography', 'lithographie', 'nanometre', 'nanometer', 'nanomètre', 'nanomètres', '2nm', '3nm'],
      ['DRAM', 'memory chips', 'puces mémoire', 'high-bandwidth'],
      ['capex', 'capital spending', "dépenses d'investissement"],
    ],
    qualifiers: AI_QUALIFIERS,
    business: BUSINESS,
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
      [
        'funding',
        'funding round',
        'fundraising',
        'financement',
        'tour de financement',
        'levée de fonds',
        'raise',
        'raises',
        'raised',
        'raising',
        'lève',
        'lever',
        'levée',
        'tour de table',
      ],
      ['stake', 'stakes', 'participation'],
      ['valuation', 'valued at', 'valorisée', 'valorisé', 'valorisation'],
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
      'chip lead',
      'chip leader',
      'bargaining chip',
      'blue chip',
      'blue chips',
      'blue-chip',
      'paquet de chips',
      'sachet de chips',
      'marché aux puces',
      'marchés aux puces',
      'puces de lit',
      'puces de chat',
      'puces de chien',
      'puces de votre chat',
      'puces de votre chien',
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
      'Oracle Red Bull',
      'Red Bull Racing',
      'military intel',
      'threat intel',
      'intel sources',
      'intel officials',
      'intel community',
      'intel report',
      'intel reports',
      'intel chief',
      'intel agencies',
      'intel from',
      'intel on',
      'US intel',
      'Grace Hopper',
      'Edward Hopper',
      'Vera C. Rubin',
      'Rubin Observatory',
      // French "j'ai" folds to "j ai": the verb, not AI.
      "j'ai",
      "n'ai",
      "qu'ai",
      'startup accelerator',
      'accelerator programme',
      'accelerator program',
      'particle accelerator',
      'accélérateur de particules',
      "accélérateur de start-up",
      'gold foundry',
    ],
    veto: {
      when: [
        ['gaming', 'gamer', 'gamers', 'joueurs', 'pour jouer', 'en jeu', 'jeux'],
        ['GeForce', 'RTX', 'Radeon RX', 'Radeon'],
        ['jeu vidéo', 'jeux vidéo', 'video game', 'video games', 'videogame', 'videogames'],
        ['graphics card', 'graphics cards', 'carte graphique', 'cartes graphiques'],
        ['esports', 'e-sports', 'fps', 'frame rate', 'frames per second', 'ray tracing', 'DLSS', '1440p', '4K'],
        ['PlayStation', 'Xbox', 'Nintendo', 'Steam Deck', 'console'],
      ],
      unless: [
        ...AI_QUALIFIERS,
        DATA_CENTER,
        ['H100', 'H200', 'H20', 'B200', 'GB200', 'GB300', 'MI300X', 'MI355X', 'HBM', 'TPU', 'CoreWeave', 'CUDA', 'Blackwell', 'RTX Pro'],
        ['OpenAI', 'Anthropic', 'xAI'],
        ['export controls', 'export restrictions', "contrôles à l'exportation", 'régulateur', 'regulator', 'regulators', 'ban', 'interdit'],
        ['China', 'Chine', 'Pékin', 'Beijing'],
        ['earnings', 'revenue', 'shares', 'stock', 'stocks', 'résultats', "chiffre d'affaires", 'Bourse', 'investors', 'investisseurs'],
      ],
    },
  },
  crypto: {
    strong: [
      'altcoin',
      'altcoins',
      'memecoin',
      'memecoins',
      'meme coin',
      'meme coins',
      'stablecoin',
      'stablecoins',
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
      'Bitcoin ETF',
      'Ethereum ETF',
      'spot bitcoin',
      // "défi" (challenge) folds to "defi" too: case-sensitive.
      '=DeFi',
      'decentralized finance',
      'finance décentralisée',
      'decentralized exchange',
      'hashrate',
      'hash rate',
      'bitcoin miner',
      'bitcoin miners',
      'stablecoin issuer',
      'crypto week',
      'semaine crypto',
    ],
    weak: [
      ['blockchain', 'blockchains', 'on-chain', 'onchain'],
      ['spot ETF', 'spot ETFs', 'ETF spot', 'ETF au comptant', 'ETFs au comptant', 'staking ETF', 'exchange-traded product', 'ETP'],
      ['=SEC', 'CFTC', 'Securities and Exchange Commission'],
      ['liquidation', 'liquidations', 'liquidated', 'liquidées', 'liquidés'],
      ['NFT', 'NFTs'],
      ['Web3'],
      ['halving'],
      ['digital assets', 'digital asset', 'actifs numériques', 'digital tokens'],
      ["plateforme d'échange", "plateformes d'échange", 'exchange', 'exchanges'],
      ['token', 'tokens', 'jeton', 'jetons', 'coin', 'coins'],
      ['tokenized', 'tokenised', 'tokenization', 'tokenisation', 'tokenisés', 'tokenisées'],
      ['wallet', 'wallets', 'cold wallet', 'portefeuille froid'],
      ['mining', 'miner', 'miners', 'minage', 'mineur', 'mineurs'],
      ['=CLARITY Act', 'market structure bill', 'market-structure bill'],
      ['=MiCA'],
    ],
    qualifiers: [],
    business: BUSINESS,
    funding: [],
    negatives: [
      'ETH Zurich',
      'ETH Zuerich',
      'ETH Zürich',
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
      'subway token',
      'subway tokens',
      'transit tokens',
      'bus tokens',
      'jetons de métro',
      'jetons de poker',
      'jetons de casino',
      'casino tokens',
      'poker tokens',
      'tokens of gratitude',
      'token of gratitude',
      'AI tokens',
      'per million tokens',
      'million tokens',
      'million input tokens',
      'million output tokens',
      'input tokens',
      'output tokens',
      "jetons d'IA",
      "tokens d'IA",
      'coal mining',
      'gold mining',
      'copper mining',
      'lithium mining',
      'mining stocks',
      'mines de charbon',
      'mine de charbon',
      "mine d'or",
      'coal miners',
      'gold miners',
      'stock exchange',
      'stock exchanges',
      'foreign exchange',
      'exchange rate',
      'exchange rates',
      'taux de change',
      'New York Stock Exchange',
      'leather wallet',
      'coin toss',
      'commemorative coins',
    ],
    veto: null,
  },
} as const satisfies Record<Topic, TopicLexicon>;

type TermClass =
  | 'strong'
  | 'weak'
  | 'qualifiers'
  | 'ambiguous'
  | 'context'
  | 'lab'
  | 'business'
  | 'funding'
  | 'entity'
  | 'vetoWhen'
  | 'vetoUnless'
  | 'negative'
  | 'sense';

interface TermRef {
  /** The topic the term speaks for; null for senses and clustering-only names. */
  topic: Topic | null;
  cls: TermClass;
  /** Spellings of one term (or names of one entity) share it: "distinct" counts groups. */
  group: string;
  /** The entity it names, if any. */
  entity: string | undefined;
  /** The spelling a case-sensitive term must be written in (or in capitals). */
  cased: string | undefined;
  /** Senses that cancel the term. */
  unlessSense: readonly string[] | undefined;
}

const ROLE_CLASS = { strong: 'strong', ambiguous: 'ambiguous', context: 'context', lab: 'lab', none: 'entity' } as const;

function spelling(raw: string): { phrase: string; cased: string | undefined } {
  return raw.startsWith('=') ? { phrase: raw.slice(1), cased: raw.slice(1) } : { phrase: raw, cased: undefined };
}

function* lexiconEntries(): Generator<{ phrase: string; value: Omit<TermRef, 'cased'> & { cased: string | undefined } }> {
  for (const topic of TOPICS) {
    const lex: TopicLexicon = LEXICON[topic];
    const lists: Array<[TermClass, TermList]> = [
      ['strong', lex.strong],
      ['weak', lex.weak],
      ['qualifiers', lex.qualifiers],
      ['business', lex.business],
      ['funding', lex.funding],
      ['negative', lex.negatives],
    ];
    if (lex.veto !== null) lists.push(['vetoWhen', lex.veto.when], ['vetoUnless', lex.veto.unless]);
    for (const [cls, list] of lists) {
      for (const [index, entry] of list.entries()) {
        const spellings = typeof entry === 'string' ? [entry] : entry;
        for (const raw of spellings) {
          const { phrase, cased } = spelling(raw);
          yield { phrase, value: { topic, cls, group: `${cls}:${index}`, entity: undefined, cased, unlessSense: undefined } };
        }
      }
    }
  }
  for (const entity of ENTITIES) {
    const cls: TermClass = ROLE_CLASS[entity.role];
    const topic = entity.role === 'none' ? null : entity.topic;
    const names = [...entity.names, ...(entity.tickers ?? []).map((t) => `=${t}`)];
    for (const raw of names) {
      const { phrase, cased } = spelling(raw);
      yield { phrase, value: { topic, cls, group: `entity:${entity.id}`, entity: entity.id, cased, unlessSense: entity.unlessSense } };
    }
  }
  for (const [sense, words] of Object.entries(SENSES)) {
    for (const raw of words) {
      const { phrase, cased } = spelling(raw);
      yield { phrase, value: { topic: null, cls: 'sense', group: sense, entity: undefined, cased, unlessSense: undefined } };
    }
  }
}

// Values are interned so the matcher's per-phrase dedupe works by identity.
function internedEntries(): Array<{ phrase: string; value: TermRef }> {
  const interned = new Map<string, TermRef>();
  return [...lexiconEntries()].map(({ phrase, value }) => {
    const id = JSON.stringify([value.topic, value.cls, value.group, value.entity, value.cased]);
    let ref = interned.get(id);
    if (ref === undefined) {
      ref = value;
      interned.set(id, ref);
    }
    return { phrase, value: ref };
  });
}

const matcher = createPhraseMatcher(internedEntries());

/** One dictionary term found in an item. */
export interface TermHit {
  ref: TermRef;
  /** The term as written in the item. */
  text: string;
  /** 0 for the title, 1 for the summary: hits never span both. */
  part: 0 | 1;
  /** Token indexes within the part. */
  start: number;
  end: number;
}

function stripMarks(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '');
}

/** The letters and digits of `s`, marks removed (for ASCII, nothing to decompose). */
function lettersOf(s: string): string {
  return /[^\p{ASCII}]/u.test(s) ? stripMarks(s).replace(/[^\p{L}\p{N}]/gu, '') : s.replace(/[^a-zA-Z0-9]/g, '');
}

/** The letters and digits of each case-sensitive spelling of the dictionaries, marks removed (a handful, read item after item). */
const CASED_LETTERS = new Map<string, string>();

/** A case-sensitive term counts when written as spelled, or in capitals ("INTEL", not "intel"). */
function caseMatches(written: string, cased: string): boolean {
  const w = lettersOf(written);
  let c = CASED_LETTERS.get(cased);
  if (c === undefined) {
    c = stripMarks(cased).replace(/[^\p{L}\p{N}]/gu, '');
    CASED_LETTERS.set(cased, c);
  }
  if (w === c) return true;
  return w === w.toUpperCase() && w !== w.toLowerCase();
}

function scan(t: TokenizedText, part: 0 | 1, hits: TermHit[]): void {
  for (const m of matcher.match(t.tokens, t.ids)) {
    const written = t.text.slice(t.starts[m.start] ?? 0, t.ends[m.end - 1] ?? 0);
    if (m.value.cased !== undefined && !caseMatches(written, m.value.cased)) continue;
    hits.push({ ref: m.value, text: written, part, start: m.start, end: m.end });
  }
}

/**
 * The hits that count: not masked by a negative phrase of their topic, not a name used in another
 * sense present in the item, and not nested inside a longer hit of the same topic.
 */
function effectiveHits(all: readonly TermHit[]): TermHit[] {
  const senses = new Set(all.filter((h) => h.ref.cls === 'sense').map((h) => h.ref.group));
  const negatives = all.filter((h) => h.ref.cls === 'negative');
  const kept = all.filter((h) => {
    if (h.ref.cls === 'negative' || h.ref.cls === 'sense') return false;
    if (h.ref.unlessSense?.some((s) => senses.has(s))) return false;
    return !negatives.some(
      (n) => n.part === h.part && (n.ref.topic === h.ref.topic || h.ref.topic === null) && n.start < h.end && h.start < n.end,
    );
  });
  return kept.filter(
    (h) =>
      !kept.some(
        (o) => o !== h && o.part === h.part && o.ref.topic === h.ref.topic && o.start <= h.start && h.end <= o.end && o.end - o.start > h.end - h.start,
      ),
  );
}

/** `fold` of terms as written, remembered: the same few spellings decide item after item. */
const FOLDED = new Map<string, string>();
const FOLDED_MAX = 10_000;

function foldTerm(text: string): string {
  let key = FOLDED.get(text);
  if (key === undefined) {
    key = fold(text);
    if (FOLDED.size >= FOLDED_MAX) FOLDED.clear();
    FOLDED.set(text, key);
  }
  return key;
}

/** The decisive terms in item order, without repeats and without terms nested in a longer one. */
function explain(hits: readonly TermHit[]): string[] {
  const ordered = [...hits].sort((a, b) => a.part - b.part || a.start - b.start || b.end - a.end);
  const out: string[] = [];
  const seen = new Set<string>();
  let cover: TermHit | undefined;
  for (const h of ordered) {
    if (cover !== undefined && cover.part === h.part && h.start >= cover.start && h.end <= cover.end) continue;
    cover = h;
    const key = foldTerm(h.text);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(h.text);
  }
  return out;
}

function distinct(list: readonly TermHit[]): number {
  return new Set(list.map((h) => h.ref.group)).size;
}

/** The decisive terms of one topic, or undefined when the topic does not hold. */
function decide(hits: readonly TermHit[]): string[] | undefined {
  const strong: TermHit[] = [];
  const weak: TermHit[] = [];
  const qualifiers: TermHit[] = [];
  const ambiguous: TermHit[] = [];
  const context: TermHit[] = [];
  const labs: TermHit[] = [];
  const business: TermHit[] = [];
  const funding: TermHit[] = [];
  let vetoWhen = false;
  let vetoUnless = false;
  // One pass, each class keeping item order.
  for (const h of hits) {
    switch (h.ref.cls) {
      case 'strong':
        strong.push(h);
        break;
      case 'weak':
        weak.push(h);
        break;
      case 'qualifiers':
        qualifiers.push(h);
        break;
      case 'ambiguous':
        ambiguous.push(h);
        break;
      case 'context':
        context.push(h);
        break;
      case 'lab':
        labs.push(h);
        break;
      case 'business':
        business.push(h);
        break;
      case 'funding':
        funding.push(h);
        break;
      case 'vetoWhen':
        vetoWhen = true;
        break;
      case 'vetoUnless':
        vetoUnless = true;
        break;
      default:
        break;
    }
  }

  if (vetoWhen && !vetoUnless) return undefined;
  // Every count read here, at every call: a read first reached by a rare item had no type feedback,
  // and V8 threw the compiled `decide` away on it (once a process, ~40 ms to compile it again).
  const nStrong = strong.length;
  const nWeak = weak.length;
  const nQualifiers = qualifiers.length;
  const nAmbiguous = ambiguous.length;
  const nContext = context.length;
  const nLabs = labs.length;
  const nBusiness = business.length;
  const nFunding = funding.length;
  if (nStrong > 0) return explain(strong);
  const names = nAmbiguous + nContext + nLabs;
  if (distinct(weak) >= 2 || (nWeak > 0 && names > 0)) return explain([...weak, ...ambiguous, ...context, ...labs]);
  if (nWeak > 0 && nQualifiers > 0) return explain([...weak, ...qualifiers]);
  if (nAmbiguous > 0 && (nBusiness > 0 || nQualifiers > 0)) return explain([...ambiguous, ...business, ...qualifiers]);
  if (nLabs > 0 && nFunding > 0) return explain([...labs, ...funding]);
  // A lab signing with a cloud platform is a compute deal ("Amazon shares jump on OpenAI deal").
  if (nLabs === 0 || nContext === 0 || nBusiness === 0) return undefined;
  const deals = business.filter((h) => h.ref.group === DEAL_GROUP);
  if (deals.length > 0) return explain([...labs, ...context, ...deals]);
  return undefined;
}

/** What the judge saw in an item: its judgement and the entities it names. */
export interface Analysis {
  judgement: Judgement;
  /** Token ranges (per part: 0 title, 1 summary) written as entity names, e.g. « géant des puces ». */
  nameSpans: Array<{ part: 0 | 1; start: number; end: number }>;
  /** Ids of the dictionary entities named anywhere in the item, in order of first mention. */
  entities: string[];
  /** Ids of the entities named in the title. */
  titleEntities: string[];
}

/** An `Analysis` plus the item's title and summary as the judge tokenized them. */
export interface AnalyzedItem extends Analysis {
  /** The tokenized title: `itemTokens` and `storySignature` read it instead of folding the title again. */
  title: TokenizedText;
  /** The tokenized summary (`''` when the item has none). */
  summary: TokenizedText;
}

function analyzeTokenized(title: TokenizedText, summary: TokenizedText): Analysis {
  const raw: TermHit[] = [];
  scan(title, 0, raw);
  scan(summary, 1, raw);
  const hits = effectiveHits(raw);
  const topics: Topic[] = [];
  const topicTerms: Record<Topic, string[]> = { 'ai-chips': [], crypto: [] };
  for (const topic of TOPICS) {
    const terms = decide(hits.filter((h) => h.ref.topic === topic));
    if (terms === undefined) continue;
    topics.push(topic);
    topicTerms[topic] = terms;
  }
  const entities: string[] = [];
  const titleEntities: string[] = [];
  const nameSpans: Analysis['nameSpans'] = [];
  for (const h of hits) {
    const id = h.ref.entity;
    if (id === undefined) continue;
    nameSpans.push({ part: h.part, start: h.start, end: h.end });
    if (!entities.includes(id)) entities.push(id);
    if (h.part === 0 && !titleEntities.includes(id)) titleEntities.push(id);
  }
  return { judgement: { topics, topicTerms }, nameSpans, entities, titleEntities };
}

/** Judges an item and lists the entities it names (see `Analysis`); `classify` keeps only the judgement. */
export function analyze(item: { readonly title: string; readonly summary?: string }): Analysis {
  return analyzeTokenized(tokenize(item.title), tokenize(item.summary ?? ''));
}

/**
 * `analyze`, keeping the tokenized title and summary: the pipeline judges an item with it and
 * hands it on to watch-term matching and story placement, so the item is folded once.
 */
export function analyzeItem(item: { readonly title: string; readonly summary?: string | undefined }): AnalyzedItem {
  const title = tokenize(item.title);
  const summary = tokenize(item.summary ?? '');
  const { judgement, nameSpans, entities, titleEntities } = analyzeTokenized(title, summary);
  return { judgement, nameSpans, entities, titleEntities, title, summary };
}

/**
 * Judges one item against every topic. Topics come back in `TOPICS` order, each at most once;
 * `topicTerms` has an entry for every topic (empty when it does not hold) listing the terms that
 * decided it as written in the item (title first, then summary).
 */
export function classify(item: { readonly title: string; readonly summary: string }): Judgement {
  return analyze(item).judgement;
}
