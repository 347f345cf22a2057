// Stories: items from different outlets, in English or French, about the same event. An item's
// signature holds the entities it names (entities.ts), its money and power figures (amounts.ts),
// its content words mapped to one bilingual vocabulary, and its time. Two items are one story when
// they are close in time, share an entity, and share a figure or enough content; a near miss (same
// company, another event or day) fails one of these. Pure: the caller owns storage and clocks.
import { createHash } from 'node:crypto';
import { extractHighlights, NUMBER_WORDS } from './amounts.js';
import { ENTITIES } from './entities.js';
import { fold, tokens } from './fold.js';
import { ENGLISH_STOP_WORDS, FRENCH_STOP_WORDS } from './lang.js';
import type { Topic } from '../domain.js';
import { analyze, type Analysis } from './topics.js';

/** What the clusterer reads of an item. */
export interface StoryInput {
  readonly title: string;
  readonly summary?: string | undefined;
  /** ISO 8601; undated items are compared without the time window. */
  readonly published?: string | undefined;
  readonly lang?: string | undefined;
}

/** A figure of a signature, normalised (see `Highlight.value`). */
export interface StoryAmount {
  kind: 'money' | 'power' | 'percent';
  value: number;
  /** Currency for money (absent when the text names none), `GW` for power, `%` for percent. */
  unit?: string;
  /** Whether the figure is in the title (a headline figure). */
  inTitle: boolean;
}

/** The comparable digest of one item; plain data, so a store can keep it as JSON. */
export interface StorySignature {
  /** Ids of the dictionary entities named anywhere in the item. */
  entities: string[];
  /** Ids of the entities named in the title. */
  titleEntities: string[];
  amounts: StoryAmount[];
  /** Content words, folded, stop words removed, mapped to one bilingual vocabulary, deduplicated. */
  tokens: string[];
  /** Publication time in epoch ms, when known. */
  time: number | undefined;
  /** The topics the judge gave the item: items without a shared name may still share a topic and a figure. */
  topics: Topic[];
}

/** Tuning of `sameStory`. */
export interface StoryOptions {
  /** Largest gap between two dated items of one story, in ms. */
  windowMs: number;
  /** Content similarity (0–1) enough on its own, with a shared entity. */
  minSimilarity: number;
  /** Content similarity enough when the items also share a money, power or percent figure. */
  minSimilarityWithAmount: number;
  /** Content similarity enough when both headlines carry the same figure. */
  minSimilarityWithHeadlineAmount: number;
  /** Relative difference under which two figures are the same (`$962.7m` ≈ `$963m`). */
  amountTolerance: number;
  /** Similarity added to the bar when only a broad name or a topic is shared. */
  broadPenalty: number;
  /** Similarity added when both give money figures and none is shared. */
  amountConflictPenalty: number;
  /** Similarity added when each title names a company the other item never mentions. */
  titleConflictPenalty: number;
  /** Fraction by which the bar rises for items a whole window apart (linear in the gap). */
  latePenalty: number;
}

/** Defaults: 48 h, measured on the project's labelled set (test/fixtures/labeled). */
export const DEFAULT_STORY_OPTIONS = {
  windowMs: 48 * 3_600_000,
  minSimilarity: 0.3,
  minSimilarityWithAmount: 0.12,
  minSimilarityWithHeadlineAmount: 0.05,
  amountTolerance: 0.03,
  broadPenalty: 0.05,
  amountConflictPenalty: 0.1,
  titleConflictPenalty: 0.2,
  latePenalty: 1,
} as const satisfies Required<StoryOptions>;

/** Entities too broad to make two items one story on their own. */
const BROAD_ENTITIES: ReadonlySet<string> = new Set(['china', 'trump', 'fed', 'ecb', 'sec', 'amf', 'cftc', 'stargate']);

/** Phrases rewritten to one token before splitting, so « centre de données » ≈ "data center". */
const PHRASES: ReadonlyArray<[string, string]> = [
  ['centres de donnees', 'datacenter'],
  ['centre de donnees', 'datacenter'],
  ['data centers', 'datacenter'],
  ['data center', 'datacenter'],
  ['data centres', 'datacenter'],
  ['data centre', 'datacenter'],
  ['chiffre d affaires', 'revenue'],
  ['plateforme d echange', 'exchange'],
  ['plateformes d echange', 'exchange'],
  ['puissance de calcul', 'compute'],
  ['capacite de calcul', 'compute'],
  ['capacites de calcul', 'compute'],
  ['etats unis', 'us'],
  ['united states', 'us'],
  ['au comptant', 'spot'],
  ['tombe a l eau', 'cancel'],
  ['on ice', 'cancel'],
  ['plus bas', 'low'],
  ['plus haut', 'high'],
  ['all time high', 'record'],
  ['effet de levier', 'leverage'],
  ['droits de douane', 'tariff'],
  ['mise en bourse', 'ipo'],
  ['introduction en bourse', 'ipo'],
];

/** Words mapped to one vocabulary (the English word, roughly stemmed). */
const SYNONYMS: Readonly<Record<string, string>> = {
  puce: 'chip',
  puces: 'chip',
  chips: 'chip',
  semiconducteurs: 'semiconductor',
  semiconductors: 'semiconductor',
  accelerateurs: 'accelerator',
  accelerators: 'accelerator',
  processeurs: 'processor',
  processors: 'processor',
  gpus: 'gpu',
  datacenters: 'datacenter',
  megadatacenter: 'datacenter',
  investir: 'invest',
  investit: 'invest',
  investira: 'invest',
  investissement: 'invest',
  investissements: 'invest',
  investment: 'invest',
  invests: 'invest',
  investing: 'invest',
  accord: 'deal',
  contrat: 'deal',
  contract: 'deal',
  agreement: 'deal',
  partenariat: 'deal',
  partnership: 'deal',
  deals: 'deal',
  annule: 'cancel',
  annulee: 'cancel',
  renonce: 'cancel',
  gele: 'cancel',
  abandon: 'cancel',
  abandonne: 'cancel',
  cools: 'cancel',
  scraps: 'cancel',
  cancels: 'cancel',
  cancelled: 'cancel',
  actions: 'share',
  action: 'share',
  shares: 'share',
  titre: 'share',
  stock: 'share',
  benefice: 'profit',
  profits: 'profit',
  ventes: 'revenue',
  sales: 'revenue',
  revenus: 'revenue',
  hausse: 'rise',
  bondit: 'rise',
  envole: 'rise',
  soars: 'rise',
  soared: 'rise',
  jumps: 'rise',
  jumped: 'rise',
  surges: 'rise',
  surged: 'rise',
  rises: 'rise',
  rose: 'rise',
  rallied: 'rise',
  chute: 'fall',
  recule: 'fall',
  plonge: 'fall',
  effondre: 'fall',
  falls: 'fall',
  fell: 'fall',
  slides: 'fall',
  slid: 'fall',
  drops: 'fall',
  dropped: 'fall',
  tumbles: 'fall',
  tumbled: 'fall',
  plunge: 'fall',
  plunges: 'fall',
  passe: 'fall',
  sous: 'below',
  under: 'below',
  dessus: 'above',
  records: 'record',
  historique: 'record',
  piratage: 'hack',
  pirates: 'hack',
  hackers: 'hack',
  hacked: 'hack',
  heist: 'hack',
  theft: 'hack',
  derobe: 'hack',
  stole: 'hack',
  vol: 'hack',
  liquidations: 'liquidation',
  liquidees: 'liquidation',
  liquidated: 'liquidation',
  licences: 'licence',
  licenses: 'licence',
  license: 'licence',
  exportation: 'export',
  exportations: 'export',
  exports: 'export',
  chine: 'china',
  chinois: 'china',
  chinese: 'china',
  gracie: 'pardon',
  grace: 'pardon',
  pardons: 'pardon',
  pardoned: 'pardon',
  clemency: 'pardon',
  fondateur: 'founder',
  lancement: 'launch',
  debuts: 'launch',
  debut: 'launch',
  demarre: 'launch',
  launches: 'launch',
  approuve: 'approve',
  autorise: 'approve',
  approves: 'approve',
  approved: 'approve',
  clears: 'approve',
  adopte: 'approve',
  menace: 'threaten',
  threatens: 'threaten',
  passeports: 'passport',
  passports: 'passport',
  capacite: 'capacity',
  achete: 'buy',
  rachete: 'buy',
  buys: 'buy',
  bought: 'buy',
  purchase: 'buy',
  purchases: 'buy',
  achats: 'buy',
  leve: 'raise',
  raises: 'raise',
  raised: 'raise',
  valorisee: 'valuation',
  valorise: 'valuation',
  valued: 'valuation',
  emplois: 'job',
  jobs: 'job',
  garantie: 'pledge',
  promet: 'pledge',
  promised: 'pledge',
  protestations: 'protest',
  protests: 'protest',
  resultats: 'earnings',
  results: 'earnings',
  prevoit: 'forecast',
  prevision: 'forecast',
  previsions: 'forecast',
  forecasts: 'forecast',
  expects: 'forecast',
  trimestre: 'quarter',
  trimestriel: 'quarter',
  quarterly: 'quarter',
  bulle: 'bubble',
  subventions: 'grant',
  grants: 'grant',
  participation: 'stake',
  capital: 'stake',
  craintes: 'fear',
  fears: 'fear',
  hits: 'reach',
  hit: 'reach',
  reaches: 'reach',
  atteint: 'reach',
  touche: 'reach',
  franchit: 'reach',
  tops: 'reach',
  depasse: 'reach',
  crosses: 'reach',
  perte: 'loss',
  pertes: 'loss',
  losses: 'loss',
  annuel: 'annual',
  annuelle: 'annual',
  yearly: 'annual',
  baisse: 'fall',
  declines: 'fall',
  commande: 'order',
  commandes: 'order',
  orders: 'order',
  livrera: 'supply',
  livrer: 'supply',
  livre: 'supply',
  deliver: 'supply',
  delivers: 'supply',
  breaks: 'reach',
  fournir: 'supply',
  fournira: 'supply',
  fournit: 'supply',
  fourniront: 'supply',
  supplies: 'supply',
  nouveaux: 'new',
  nouvelles: 'new',
  spends: 'spend',
  spent: 'spend',
  depense: 'spend',
  depenses: 'spend',
  signe: 'sign',
  signs: 'sign',
  signed: 'sign',
  scellent: 'sign',
  decroche: 'sign',
  lands: 'sign',
  strikes: 'sign',
  etats: 'us',
  americain: 'us',
  americaine: 'us',
  washington: 'us',
  regles: 'rule',
  rules: 'rule',
  standards: 'rule',
  normes: 'rule',
  loi: 'law',
  promulgue: 'law',
  bill: 'law',
  fonds: 'fund',
  funds: 'fund',
  cotes: 'etf',
  etfs: 'etf',
  bourses: 'exchange',
  exchanges: 'exchange',
  monde: 'world',
  mondial: 'world',
  mondiale: 'world',
  worlds: 'world',
  geant: 'giant',
  giants: 'giant',
  geants: 'giant',
  semaine: 'week',
  journee: 'day',
  seance: 'day',
  premiere: 'first',
  premier: 'first',
  deuxieme: 'second',
  nuit: 'night',
  soir: 'night',
  cloud: 'cloud',
  nuage: 'cloud',
  vente: 'sale',
  sell: 'sale',
  selloff: 'sale',
  transfert: 'transfer',
  douane: 'tariff',
  tariffs: 'tariff',
  dirigeants: 'executive',
  executives: 'executive',
  doutes: 'doubt',
  doubts: 'doubt',
  doutant: 'doubt',
  echelle: 'scale',
  ampleur: 'size',
  societe: 'company',
  entreprise: 'company',
  groupe: 'company',
  firm: 'company',
  companies: 'company',
  gouvernement: 'government',
  etat: 'government',
  administration: 'government',
};

/** Words of headlines that say nothing about the event. */
const NEWS_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'says said say report reports reported according sources source people familiar matter told ' +
    'selon rapporte affirme indique annonce annonces announced announces announce update live ' +
    'ete etre avoir fait faire peut pourrait doit devrait could would will may might ' +
    'billion billions million millions milliard milliards trillion dollars dollar euros euro bn m k ' +
    'up down over more than less moins plus tres much many also still yet now today aujourd hui ' +
    'its it s l d qu n c j m t y via per par'
  ).split(' '),
);

/** One-word names of the dictionary: an item's names count through its entities, not twice as words. */
const NAME_WORDS: ReadonlySet<string> = new Set(
  ENTITIES.flatMap((e) => [...e.names, ...(e.tickers ?? [])])
    .map((n) => fold(n.replace(/^=/, '')))
    .filter((n) => n !== '' && !n.includes(' ')),
);

/**
 * Content words of an item: folded tokens of title and summary, without the tokens written as
 * entity names (they count through `entities`), numbers, number words and stop words, with
 * bilingual phrases and synonyms mapped to one vocabulary and a crude plural/feminine stemming
 * applied alike to both languages ("systems", « systèmes » → "system").
 */
function contentTokens(parts: readonly string[], nameSpans: Analysis['nameSpans']): string[] {
  const out = new Set<string>();
  parts.forEach((text, part) => {
    const toks = tokens(text);
    for (const span of nameSpans) if (span.part === part) for (let i = span.start; i < span.end; i++) toks[i] = '|';
    let folded = ` ${toks.join(' ')} `;
    for (const [phrase, token] of PHRASES) folded = folded.split(` ${phrase} `).join(` ${token} `);
    for (const raw of folded.split(' ')) {
      if (raw === '' || raw === '|' || /^\d+$/.test(raw) || NUMBER_WORDS[raw] !== undefined) continue;
      if (ENGLISH_STOP_WORDS.has(raw) || FRENCH_STOP_WORDS.has(raw) || NEWS_STOP_WORDS.has(raw) || NAME_WORDS.has(raw)) continue;
      let t = SYNONYMS[raw] ?? raw;
      if (t === raw && t.length > 4 && t.endsWith('s')) t = SYNONYMS[t.slice(0, -1)] ?? t.slice(0, -1);
      if (t.length > 4 && t.endsWith('e')) t = t.slice(0, -1);
      if (t.length < 2 || ENGLISH_STOP_WORDS.has(t)) continue;
      out.add(t);
    }
  });
  return [...out];
}

function timeOf(published: string | undefined): number | undefined {
  if (published === undefined) return undefined;
  const t = Date.parse(published);
  return Number.isNaN(t) ? undefined : t;
}

/** The comparable digest of one item (see `StorySignature`). */
export function storySignature(item: StoryInput): StorySignature {
  const summary = item.summary ?? '';
  const { entities, titleEntities, judgement, nameSpans } = analyze({ title: item.title, summary });
  const amounts: StoryAmount[] = [];
  const highlights = [
    ...extractHighlights(item.title).map((h) => ({ h, inTitle: true })),
    ...extractHighlights(summary).map((h) => ({ h, inTitle: false })),
  ];
  for (const { h, inTitle } of highlights) {
    if (h.kind === 'ticker' || h.value === undefined) continue;
    // Tiny sums are unit prices ("$1.25 per million tokens"), not the event's figure; asset
    // price levels ("below $81,000") are kept.
    if (h.kind === 'money' && h.value < 100) continue;
    if (amounts.some((a) => a.kind === h.kind && a.value === h.value && a.unit === h.unit)) continue;
    amounts.push({ kind: h.kind, value: h.value, ...(h.unit !== undefined ? { unit: h.unit } : {}), inTitle });
  }
  return { entities, titleEntities, amounts, tokens: contentTokens([item.title, summary], nameSpans), time: timeOf(item.published), topics: judgement.topics };
}

function sameAmount(a: StoryAmount, b: StoryAmount, tolerance: number): boolean {
  if (a.kind !== b.kind) return false;
  if (a.unit !== undefined && b.unit !== undefined && a.unit !== b.unit) return false;
  return Math.abs(a.value - b.value) <= tolerance * Math.max(a.value, b.value);
}

/** How two signatures compare; `sameStory` decides from it. */
export interface StoryComparison {
  /** False when both are dated further apart than the window. */
  inWindow: boolean;
  /** Entities both name, broad ones (China, Trump, the SEC) excluded. */
  sharedEntities: string[];
  /** Broad entities both name (they link two items only with more content in common). */
  sharedBroad: string[];
  /** Topics both have. */
  sharedTopics: Topic[];
  /** Time between the two items in ms (0 when one is undated). */
  gapMs: number;
  /** Whether a money, power or percent figure of one is a figure of the other. */
  sharedAmount: boolean;
  /** Whether both headlines carry the same figure ("tops $120,000" / « franchit les 120 000 dollars »). */
  sharedHeadlineAmount: boolean;
  /** Whether both give money figures and none is shared. */
  amountConflict: boolean;
  /**
   * Whether both headlines give a money figure and neither headline figure is a figure of the
   * other item: two reports of one event share their headline number, so these are two events
   * ("Strategy buys bitcoin for $962.7 million" / "… for $835.6 million").
   */
  headlineConflict: boolean;
  /** Each title names a company the other item never mentions (IREN vs Lambda): two deals. */
  titleConflict: boolean;
  /** Dice similarity (0–1) of content words plus entities. */
  similarity: number;
}

/** Compares two signatures (see `StoryComparison`). */
export function compareStories(a: StorySignature, b: StorySignature, options: Partial<StoryOptions> = {}): StoryComparison {
  const o = { ...DEFAULT_STORY_OPTIONS, ...options };
  const inWindow = a.time === undefined || b.time === undefined || Math.abs(a.time - b.time) <= o.windowMs;
  const bEntities = new Set(b.entities);
  const aEntities = new Set(a.entities);
  const sharedEntities = a.entities.filter((e) => bEntities.has(e) && !BROAD_ENTITIES.has(e));
  const sharedBroad = a.entities.filter((e) => bEntities.has(e) && BROAD_ENTITIES.has(e));
  const sharedTopics = a.topics.filter((t) => b.topics.includes(t));
  const gapMs = a.time === undefined || b.time === undefined ? 0 : Math.abs(a.time - b.time);
  const money = (s: StorySignature): StoryAmount[] => s.amounts.filter((x) => x.kind === 'money');
  const sharedAmount = a.amounts.some((x) => b.amounts.some((y) => sameAmount(x, y, o.amountTolerance)));
  const sharedHeadlineAmount = a.amounts.some((x) => x.inTitle && b.amounts.some((y) => y.inTitle && sameAmount(x, y, o.amountTolerance)));
  const amountConflict = !sharedAmount && money(a).length > 0 && money(b).length > 0;
  const headline = (x: StorySignature, y: StorySignature): boolean =>
    money(x).some((m) => m.inTitle) && !money(x).some((m) => m.inTitle && y.amounts.some((n) => sameAmount(m, n, o.amountTolerance)));
  const headlineConflict = headline(a, b) && headline(b, a);
  const own = (s: StorySignature, other: ReadonlySet<string>): boolean => s.titleEntities.some((e) => !other.has(e) && !BROAD_ENTITIES.has(e));
  const titleConflict = own(a, bEntities) && own(b, aEntities);
  const aWords = new Set([...a.tokens, ...a.entities.map((e) => `@${e}`)]);
  const bWords = new Set([...b.tokens, ...b.entities.map((e) => `@${e}`)]);
  let common = 0;
  for (const w of aWords) if (bWords.has(w)) common += 1;
  const similarity = aWords.size + bWords.size === 0 ? 0 : (2 * common) / (aWords.size + bWords.size);
  return {
    inWindow,
    sharedEntities,
    sharedBroad,
    sharedTopics,
    gapMs,
    sharedAmount,
    sharedHeadlineAmount,
    amountConflict,
    headlineConflict,
    titleConflict,
    similarity,
  };
}

/**
 * A score in [0, 1] of how likely two signatures are one story; `sameStory` holds when it is at
 * least 0.5. Out of the window or without a shared entity it is 0.
 */
export function storyScore(a: StorySignature, b: StorySignature, options: Partial<StoryOptions> = {}): number {
  const o = { ...DEFAULT_STORY_OPTIONS, ...options };
  const c = compareStories(a, b, o);
  if (!c.inWindow || c.headlineConflict) return 0;
  let needed: number = c.sharedHeadlineAmount ? o.minSimilarityWithHeadlineAmount : c.sharedAmount ? o.minSimilarityWithAmount : o.minSimilarity;
  if (c.sharedEntities.length === 0) {
    // A broad name (the SEC, Lagarde) or, with a shared figure, a shared topic can stand in for
    // a shared company, with more content in common.
    if (c.sharedBroad.length > 0) needed += o.broadPenalty;
    else if (c.sharedAmount && c.sharedTopics.length > 0) needed += o.broadPenalty;
    else return 0;
  }
  if (c.amountConflict) needed += o.amountConflictPenalty;
  if (c.titleConflict) needed += o.titleConflictPenalty;
  // Reports of one event come out within hours; the later the second, the more it must share.
  needed *= 1 + (o.latePenalty * c.gapMs) / o.windowMs;
  // 0.5 exactly at the threshold, rising to 1 at twice the threshold.
  return Math.max(0, Math.min(1, (0.5 * c.similarity) / needed));
}

/**
 * Whether two items are one story: within the window when both are dated, headline figures that
 * do not contradict each other, at least one shared entity, and enough content overlap (less is needed when they share a money or power figure,
 * more when their figures differ or each title names a company the other does not).
 */
export function sameStory(a: StorySignature, b: StorySignature, options: Partial<StoryOptions> = {}): boolean {
  return storyScore(a, b, options) >= 0.5;
}

/** A stable short id for a story, from its first item's key (or title). */
export function storyIdOf(firstKey: string): string {
  return createHash('sha256').update(firstKey).digest('base64url').slice(0, 12);
}

/** One item as the story index keeps it. */
export interface StoryMember {
  signature: StorySignature;
  /** The outlet, for counting distinct outlets; undefined counts as its own outlet. */
  source: string | undefined;
  /** When it was seen (publication time, else assignment time), epoch ms. */
  time: number;
}

/** One story as the index keeps it: plain data a store can persist. */
export interface StoryRecord {
  id: string;
  /** Items in arrival order; the first ones are the story's representatives. */
  members: StoryMember[];
  /** True once `breakingOutlets` distinct outlets reported it within `breakingWindowMs`. */
  breaking: boolean;
}

/** Tuning of `createStoryIndex`. */
export interface StoryIndexOptions extends Partial<StoryOptions> {
  /** Stories with no item newer than this (relative to `now`) are forgotten, in ms. */
  windowMs?: number;
  /** Distinct outlets that make a story breaking. */
  breakingOutlets?: number;
  /** Window in which those outlets must report, in ms. */
  breakingWindowMs?: number;
  /** Members compared per story (the first ones): bounds the cost per item. */
  representatives?: number;
  /** Stories to start from (a store's copy). */
  initial?: readonly StoryRecord[];
}

/** The result of placing one item. */
export interface StoryAssignment {
  storyId: string;
  /** True when the item opened a new story. */
  isNew: boolean;
  /** Distinct outlets that reported the story so far. */
  sources: number;
  /** Whether the story is breaking (see `StoryRecord.breaking`). */
  breaking: boolean;
  /** True only for the item that made the story breaking. */
  becameBreaking: boolean;
}

/** An item for `assign`: what the signature needs plus identity and outlet. */
export interface StoryIndexItem extends StoryInput {
  /** Identity of the item (feed key or URL); the story id of a new story derives from it. */
  readonly key?: string | undefined;
  /** The outlet that published it. */
  readonly source?: string | undefined;
}

/** An in-memory list of recent stories that places items one by one. */
export interface StoryIndex {
  /** Places an item: into the best matching recent story, else a new one. `now` in epoch ms or a Date. */
  assign(item: StoryIndexItem, now: number | Date): StoryAssignment;
  /** The stories still in the window, oldest first (for a store to persist). */
  snapshot(): StoryRecord[];
}

function distinctOutlets(members: readonly StoryMember[], from = -Infinity): number {
  const outlets = new Set<string>();
  members.forEach((m, i) => {
    if (m.time >= from) outlets.add(m.source ?? `#${i}`);
  });
  return outlets.size;
}

/**
 * Creates a story index. Greedy: an item joins the recent story whose representatives score best
 * with it (`storyScore` ≥ 0.5), else opens a story whose id is `storyIdOf(key ?? title)`.
 */
export function createStoryIndex(options: StoryIndexOptions = {}): StoryIndex {
  const windowMs = options.windowMs ?? DEFAULT_STORY_OPTIONS.windowMs;
  const breakingOutlets = options.breakingOutlets ?? 3;
  const breakingWindowMs = options.breakingWindowMs ?? 3_600_000;
  const representatives = options.representatives ?? 8;
  const storyOptions: Partial<StoryOptions> = { ...options, windowMs };
  let stories: StoryRecord[] = (options.initial ?? []).map((s) => ({ ...s, members: [...s.members] }));
  const ids = new Set(stories.map((s) => s.id));

  return {
    assign(item, nowArg) {
      const now = typeof nowArg === 'number' ? nowArg : nowArg.getTime();
      stories = stories.filter((s) => s.members.some((m) => m.time >= now - windowMs));
      const signature = storySignature(item);
      const time = signature.time ?? now;
      let best: StoryRecord | undefined;
      let bestScore = 0.5;
      for (const story of stories) {
        for (const member of story.members.slice(0, representatives)) {
          const score = storyScore(signature, member.signature, storyOptions);
          if (score >= bestScore && (best !== story || score > bestScore)) {
            best = story;
            bestScore = score;
          }
        }
      }
      const member: StoryMember = { signature, source: item.source, time };
      if (best === undefined) {
        let id = storyIdOf(item.key ?? item.title);
        for (let n = 2; ids.has(id); n++) id = storyIdOf(`${item.key ?? item.title}#${n}`);
        ids.add(id);
        const story: StoryRecord = { id, members: [member], breaking: false };
        stories.push(story);
        const breaking = breakingOutlets <= 1;
        story.breaking = breaking;
        return { storyId: id, isNew: true, sources: 1, breaking, becameBreaking: breaking };
      }
      best.members.push(member);
      const wasBreaking = best.breaking;
      if (!wasBreaking) best.breaking = distinctOutlets(best.members, time - breakingWindowMs) >= breakingOutlets;
      return {
        storyId: best.id,
        isNew: false,
        sources: distinctOutlets(best.members),
        breaking: best.breaking,
        becameBreaking: best.breaking && !wasBreaking,
      };
    },
    snapshot() {
      return stories.map((s) => ({ ...s, members: [...s.members] }));
    },
  };
}

/**
 * Story ids for a batch of items, in order: the same function the pipeline uses incrementally,
 * with nothing forgotten (every item is compared by its own date, so order matters little).
 */
export function clusterStories(items: readonly (StoryIndexItem & { readonly id?: string })[], options: Partial<StoryOptions> = {}): string[] {
  const index = createStoryIndex({ ...options, windowMs: options.windowMs ?? DEFAULT_STORY_OPTIONS.windowMs });
  return items.map((item) => index.assign({ ...item, key: item.key ?? item.id }, -Infinity).storyId);
}
