// Stories: items from different outlets, in English or French, about the same event. An item's
// signature holds the entities it names (entities.ts), its money and power figures (amounts.ts),
// its content words mapped to one bilingual vocabulary, and its time. Two items are one story when
// they are close in time, share an entity, and share a figure or enough content; a near miss (same
// company, another event or day) fails one of these. Pure: the caller owns storage and clocks.
import { digest } from '../hash.js';
import { extractHighlights, NUMBER_WORDS, type Highlight } from './amounts.js';
import { ENTITIES } from './entities.js';
import { fold, WORD_IDS, type TokenizedText } from './fold.js';
import { ENGLISH_STOP_WORDS, FRENCH_STOP_WORDS } from './lang.js';
import type { Topic } from '../domain.js';
import { analyzeItem, type Analysis, type AnalyzedItem } from './topics.js';

/** What the clusterer reads of an item. */
export interface StoryInput {
  readonly title: string;
  readonly summary?: string | undefined;
  /** ISO 8601; undated items are compared without the time window. */
  readonly published?: string | undefined;
  readonly lang?: string | undefined;
  /**
   * What the judge already computed for this title and summary (the pipeline has it): the
   * signature reuses it instead of reading the text again. Ignored when it is for another text.
   */
  readonly prework?: StoryPrework | undefined;
}

/** The judge's work on an item that a signature reuses (see `StoryInput.prework`). */
export interface StoryPrework {
  /** `analyzeItem` of the item. */
  readonly analyzed: AnalyzedItem;
  /** `extractHighlights` of its title and of its summary (`extractItemHighlights` gives both). */
  readonly highlights?: { readonly title: readonly Highlight[]; readonly summary: readonly Highlight[] } | undefined;
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

/** `PHRASES` as token lists, and for each first token the phrases (bit `1 << index`) it opens. */
const PHRASE_WORDS = PHRASES.map(([phrase, token]) => ({ words: phrase.split(' '), token }));
const PHRASE_OPENERS = new Map<string, number>();
PHRASE_WORDS.forEach(({ words }, index) => {
  const first = words[0] ?? '';
  PHRASE_OPENERS.set(first, (PHRASE_OPENERS.get(first) ?? 0) | (1 << index));
});

/** A content word, one object per spelling, so that an item lists it once without a set. */
interface ContentWord {
  text: string;
  /** The last `contentTokens` call that listed it. */
  mark: number;
}

/** The content word a folded token counts as (undefined: it does not count), and the phrases it may open. */
interface WordInfo {
  word: ContentWord | undefined;
  opens: number;
}

/** What each token seen counts as (`infoOf`), and the word objects; the words of news are few, the memo is dropped when it grows past that. */
const WORD_INFO = new Map<string, WordInfo>();
const CONTENT_WORDS = new Map<string, ContentWord>();
const WORD_INFO_MAX = 50_000;
/** `WORD_INFO` by word id (`TokenizedText.ids`), read without hashing. */
const INFO_BY_ID: Array<WordInfo | undefined> = new Array<WordInfo | undefined>(WORD_IDS).fill(undefined);
let contentCall = 0;

/** The content word a folded token counts as, `''` when none. */
function contentWordOf(raw: string): string {
  if (raw === '' || raw === '|' || /^\d+$/.test(raw) || NUMBER_WORDS[raw] !== undefined) return '';
  if (ENGLISH_STOP_WORDS.has(raw) || FRENCH_STOP_WORDS.has(raw) || NEWS_STOP_WORDS.has(raw) || NAME_WORDS.has(raw)) return '';
  let t = SYNONYMS[raw] ?? raw;
  if (t === raw && t.length > 4 && t.endsWith('s')) t = SYNONYMS[t.slice(0, -1)] ?? t.slice(0, -1);
  if (t.length > 4 && t.endsWith('e')) t = t.slice(0, -1);
  if (t.length < 2 || ENGLISH_STOP_WORDS.has(t)) return '';
  return t;
}

function infoOf(raw: string): WordInfo {
  let info = WORD_INFO.get(raw);
  if (info === undefined) {
    const text = contentWordOf(raw);
    let word: ContentWord | undefined;
    if (text !== '') {
      word = CONTENT_WORDS.get(text);
      if (word === undefined) {
        word = { text, mark: 0 };
        CONTENT_WORDS.set(text, word);
      }
    }
    info = { word, opens: PHRASE_OPENERS.get(raw) ?? 0 };
    WORD_INFO.set(raw, info);
  }
  return info;
}

/**
 * Replaces each occurrence of phrase `index` in the first `count` tokens of `from` by its token,
 * left to right, as replacing ` phrase ` in the space-joined text would: an occurrence right after
 * another is not replaced (the space between them went with the first). The tokens that result
 * are written to `to` (which may be `from`) only once something is replaced; `infos` (what each
 * token counts as, `masked` for a masked name) is kept in step in place. Returns the new count:
 * below `count` exactly when something was replaced, since a phrase is longer than its token.
 */
function replacePhrase(from: readonly string[], to: string[], infos: WordInfo[], count: number, index: number, masked: WordInfo): number {
  const { words, token } = PHRASE_WORDS[index] as { words: readonly string[]; token: string };
  const bit = 1 << index;
  const length = words.length;
  let written = 0;
  let copying = from === to;
  let blocked = -1;
  for (let i = 0; i < count; ) {
    // A token opens the phrase exactly when its info says so; a masked name matches no word.
    let hit = i !== blocked && i + length <= count && ((infos[i] as WordInfo).opens & bit) !== 0;
    for (let k = 1; hit && k < length; k++) hit = infos[i + k] !== masked && from[i + k] === words[k];
    if (hit) {
      if (!copying) {
        // Nothing replaced before `i`: the tokens so far are `from`'s.
        for (let j = 0; j < i; j++) to[j] = from[j] as string;
        copying = true;
      }
      to[written] = token;
      infos[written] = infoOf(token);
      written += 1;
      i += length;
      blocked = i;
    } else {
      if (copying) {
        // Writes never pass reads: a phrase is longer than its token.
        to[written] = from[i] as string;
        infos[written] = infos[i] as WordInfo;
      }
      written += 1;
      i += 1;
    }
  }
  return written;
}

/** Tokens of a part after a phrase was replaced, and what each token counts as; reused by every call. */
let partToks: string[] = [];
let partInfos: WordInfo[] = [];

/**
 * Content words of an item: folded tokens of title and summary, without the tokens written as
 * entity names (they count through `entities`), numbers, number words and stop words, with
 * bilingual phrases and synonyms mapped to one vocabulary and a crude plural/feminine stemming
 * applied alike to both languages ("systems", « systèmes » → "system").
 */
function contentTokens(parts: ReadonlyArray<Pick<TokenizedText, 'tokens' | 'ids'>>, nameSpans: Analysis['nameSpans']): string[] {
  // Dropped between calls only: a word listed earlier in a call must keep its object.
  if (WORD_INFO.size >= WORD_INFO_MAX) {
    WORD_INFO.clear();
    CONTENT_WORDS.clear();
    INFO_BY_ID.fill(undefined);
  }
  const call = ++contentCall;
  const out: string[] = [];
  // What a masked name counts as (it is written '|', a token folding never makes).
  const masked = infoOf('|');
  for (let part = 0; part < parts.length; part++) {
    const { tokens: source, ids } = parts[part] as Pick<TokenizedText, 'tokens' | 'ids'>;
    let count = source.length;
    if (partToks.length < count) {
      partToks = new Array<string>(count).fill('');
      partInfos = new Array<WordInfo>(count).fill(masked);
    }
    const infos = partInfos;
    for (let i = 0; i < count; i++) {
      const id = ids[i] ?? -1;
      infos[i] = id >= 0 ? (INFO_BY_ID[id] ??= infoOf(source[i] as string)) : infoOf(source[i] as string);
    }
    // A masked name is no longer the word its id names.
    for (const span of nameSpans) {
      if (span.part !== part) continue;
      for (let i = span.start; i < span.end; i++) infos[i] = masked;
    }
    let opens = 0;
    for (let i = 0; i < count; i++) opens |= (infos[i] as WordInfo).opens;
    let toks: readonly string[] = source;
    for (let index = 0; opens !== 0 && index < PHRASE_WORDS.length; index++) {
      // A phrase no token opens cannot appear: no replacement creates an opening word.
      if ((opens & (1 << index)) === 0) continue;
      const before = count;
      count = replacePhrase(toks, partToks, infos, count, index, masked);
      if (count < before) toks = partToks;
    }
    for (let i = 0; i < count; i++) {
      const w = (infos[i] as WordInfo).word;
      if (w === undefined || w.mark === call) continue;
      w.mark = call;
      out.push(w.text);
    }
  }
  return out;
}

function timeOf(published: string | undefined): number | undefined {
  if (published === undefined) return undefined;
  const t = Date.parse(published);
  return Number.isNaN(t) ? undefined : t;
}

/** A figure of a signature, made by one of two literals (with a unit or without) wherever it comes from (see `storyMember`). */
function storyAmount(kind: StoryAmount['kind'], value: number, unit: string | undefined, inTitle: boolean): StoryAmount {
  return unit === undefined ? { kind, value, inTitle } : { kind, value, unit, inTitle };
}

/** The comparable digest of one item (see `StorySignature`). */
export function storySignature(item: StoryInput): StorySignature {
  const summary = item.summary ?? '';
  const prework = item.prework?.analyzed.title.text === item.title && item.prework.analyzed.summary.text === summary ? item.prework : undefined;
  const analyzed = prework?.analyzed ?? analyzeItem({ title: item.title, summary });
  const { entities, titleEntities, judgement, nameSpans } = analyzed;
  const amounts: StoryAmount[] = [];
  const figures = prework?.highlights ?? { title: extractHighlights(item.title), summary: extractHighlights(summary) };
  // Pushed, not spread from two `map`s: those arrays came in several kinds (empty or not), and each
  // new kind made V8 throw away the optimised storySignature (src/packed.ts).
  const highlights: Array<{ h: Highlight; inTitle: boolean }> = [];
  for (const h of figures.title) highlights.push({ h, inTitle: true });
  for (const h of figures.summary) highlights.push({ h, inTitle: false });
  for (const { h, inTitle } of highlights) {
    if (h.kind === 'ticker' || h.value === undefined) continue;
    // Tiny sums are unit prices ("$1.25 per million tokens"), not the event's figure; asset
    // price levels ("below $81,000") are kept.
    if (h.kind === 'money' && h.value < 100) continue;
    if (amounts.some((a) => a.kind === h.kind && a.value === h.value && a.unit === h.unit)) continue;
    amounts.push(storyAmount(h.kind, h.value, h.unit, inTitle));
  }
  return {
    entities: [...entities],
    titleEntities: [...titleEntities],
    amounts,
    tokens: contentTokens([analyzed.title, analyzed.summary], nameSpans),
    time: timeOf(item.published),
    topics: [...judgement.topics],
  };
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

/** The base64url SHA-256 of a string. */
const sha256 = (text: string): string => digest('sha256', text, 'base64url');

/** A stable short id for a story, from its first item's key (or title). */
export function storyIdOf(firstKey: string): string {
  return sha256(firstKey).slice(0, 12);
}

/** How many first members of a story keep their signatures and are compared with new items, by default. */
export const STORY_REPRESENTATIVES = 8;

/** One item as the story index keeps it. */
export interface StoryMember {
  /**
   * Kept for the story's representatives (its first members) only: later reports need no signature
   * (see `addReport`). Always present as a key, so every member has one shape (see `storyMember`).
   */
  signature: StorySignature | undefined;
  /** The outlet, for counting distinct outlets; undefined counts as its own outlet. */
  source: string | undefined;
  /** When it was seen (publication time, else assignment time), epoch ms. */
  time: number;
}

/** One story as the index keeps it: plain data a store can persist. */
export interface StoryRecord {
  id: string;
  /** Items in arrival order; the first ones are the story's representatives, then one report per outlet (`addReport`). */
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
  /** Members compared per story (the first ones): bounds the cost per item. Default `STORY_REPRESENTATIVES`. */
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
  /**
   * Where the story keeps the item's report among its members (`addReport`): below the index's
   * `representatives`, one of the representatives.
   */
  member: number;
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
  /**
   * The stories of `snapshot` whose id is one of `ids`, in the same order (what a batch touched),
   * without the copies: the index's own records, to read at once and never change (a story of
   * hundreds of outlets is not copied to write a few of its reports).
   */
  readOf(ids: Iterable<string>): readonly StoryRecord[];
}

/**
 * A member, made by one literal: members built here, by `assign` and from a store's copy share one
 * hidden class, so the functions that read them stay optimised when the index is read again from
 * the store (objects from JSON.parse or spreads each had their own, and V8 threw the compiled
 * `prepare`, `scorePrepared` and the tracker's serialisation away at each reload).
 */
function storyMember(signature: StorySignature | undefined, source: string | undefined, time: number): StoryMember {
  return { signature, source, time };
}

/** A signature made by the literal `storySignature` uses (see `storyMember`), from a store's copy. */
function signatureOf(sig: StorySignature): StorySignature {
  // Pushed, not mapped: `map` makes holey arrays, `storySignature`'s are packed (src/packed.ts).
  const amounts: StoryAmount[] = [];
  for (const a of sig.amounts) amounts.push(storyAmount(a.kind, a.value, a.unit, a.inTitle));
  return { entities: sig.entities, titleEntities: sig.titleEntities, amounts, tokens: sig.tokens, time: sig.time, topics: sig.topics };
}

/**
 * Adds a report to a story's members. The first `representatives` keep their signatures: they are
 * what later items are compared with. After them a story keeps one report per named outlet, the
 * latest (an undated one counts as the oldest), without its signature: a story that the same
 * outlets report all day stays the same size in memory and in the store, where every report used
 * to add its whole signature. What the index reads of the members reads the same from it: the
 * distinct outlets (overall and within the breaking window) and the latest report time. A report
 * with no outlet is kept as it comes (it counts as an outlet of its own). `places` holds where
 * each named outlet's report is after the representatives (the first, when a story read from a
 * store holds two). Returns where the outlet's report is now.
 */
export function addReport(members: StoryMember[], member: StoryMember, representatives: number, places: Map<string, number>): number {
  if (members.length < representatives) return members.push(member) - 1;
  if (member.source !== undefined) {
    const i = places.get(member.source);
    if (i !== undefined) {
      const kept = members[i] as StoryMember;
      // Replaced, not changed: a copy taken for the store may share the member object.
      if (Number.isNaN(kept.time) || member.time > kept.time) members[i] = storyMember(undefined, member.source, member.time);
      return i;
    }
    places.set(member.source, members.length);
  }
  return members.push(storyMember(undefined, member.source, member.time)) - 1;
}

function distinctOutlets(members: readonly StoryMember[], from = -Infinity): number {
  const outlets = new Set<string>();
  members.forEach((m, i) => {
    if (m.time >= from) outlets.add(m.source ?? `#${i}`);
  });
  return outlets.size;
}

/** What `storyScore` reads of a signature, computed once per signature the index holds. */
interface Prepared {
  /** What `scorePrepared` reads of the signature, held here: one object to load per comparison, not two. */
  time: number | undefined;
  entities: ReadonlySet<string>;
  amounts: readonly StoryAmount[];
  topics: readonly string[];
  /** The words of the similarity (content words plus `@entity`), as ascending word ids without repeats. */
  words: Int32Array;
  /** The ids of its `@entity` words, names first, then broad names from `broadFrom` on (see `marked`). */
  entityIds: Int32Array;
  broadFrom: number;
  /**
   * One bit per name (its id mod 32) and per topic: two signatures whose masks do not meet share
   * neither, and score 0 without anything else being read.
   */
  entityMask: number;
  topicMask: number;
  /** How many money figures it has. */
  money: number;
  /** Its money figures in the title. */
  headlineMoney: StoryAmount[];
  /** The names in its title that are not broad (`titleOwns`). */
  ownTitle: string[];
}

/** The bits of `Prepared.topicMask`: one per known topic, one shared by any other (a store's copy may hold any string). */
function topicMask(topics: readonly string[]): number {
  let mask = 0;
  for (const t of topics) mask |= t === 'ai-chips' ? 1 : t === 'crypto' ? 2 : 4;
  return mask;
}

/** Numbers for words, so that two signatures compare by word ids (see `marked`). Owned by one index. */
type WordIds = Map<string, number>;

function wordId(ids: WordIds, word: string): number {
  let id = ids.get(word);
  if (id === undefined) {
    id = ids.size;
    ids.set(word, id);
  }
  return id;
}

function prepare(sig: StorySignature, ids: WordIds): Prepared {
  const money = sig.amounts.filter((x) => x.kind === 'money');
  const numbers = new Int32Array(sig.tokens.length + sig.entities.length);
  let n = 0;
  for (const w of sig.tokens) numbers[n++] = wordId(ids, w);
  const entityIds = new Int32Array(sig.entities.length);
  let names = 0;
  let broad = sig.entities.length;
  let entityMask = 0;
  for (const e of sig.entities) {
    const id = wordId(ids, `@${e}`);
    numbers[n++] = id;
    entityMask |= 1 << (id & 31);
    if (BROAD_ENTITIES.has(e)) entityIds[--broad] = id;
    else entityIds[names++] = id;
  }
  numbers.sort();
  // Without repeats, as the set of words would hold them.
  let unique = 0;
  for (let i = 0; i < n; i++) if (i === 0 || numbers[i] !== numbers[i - 1]) numbers[unique++] = numbers[i] as number;
  return {
    time: sig.time,
    entities: new Set(sig.entities),
    amounts: sig.amounts,
    topics: sig.topics,
    words: numbers.subarray(0, unique),
    entityIds,
    broadFrom: broad,
    entityMask,
    topicMask: topicMask(sig.topics),
    money: money.length,
    headlineMoney: money.filter((m) => m.inTitle),
    ownTitle: sig.titleEntities.filter((e) => !BROAD_ENTITIES.has(e)),
  };
}

/**
 * How many of `words` are marked (`marks[id] === 1`): the words two signatures share, one of them
 * marked once per item (see `assign`). A load per word instead of merging the two sorted lists,
 * whose branches the CPU cannot predict. Ids past the marks (words first seen after the marking)
 * are in no marked signature.
 */
function marked(marks: Uint8Array, words: Int32Array): number {
  let n = 0;
  const len = marks.length;
  for (let i = 0; i < words.length; i++) {
    const id = words[i] as number;
    if (id < len) n += marks[id] as number;
  }
  return n;
}

// The helpers of `scorePrepared` are plain loops: it runs for every representative of every
// candidate story, and the closures of `some` were a tenth of what the pipeline allocated.

/** Whether `m` is one of `amounts` (`sameAmount`), only headline ones with `inTitle`. */
function amountIn(m: StoryAmount, amounts: readonly StoryAmount[], inTitle: boolean, tol: number): boolean {
  for (const n of amounts) if ((!inTitle || n.inTitle) && sameAmount(m, n, tol)) return true;
  return false;
}

/** A headline money figure of `p` that is no figure of `q` (`StoryComparison.headlineConflict`, one way). */
function headlineUnmatched(p: Prepared, q: Prepared, tol: number): boolean {
  if (p.headlineMoney.length === 0) return false;
  for (const m of p.headlineMoney) if (amountIn(m, q.amounts, false, tol)) return false;
  return true;
}

/** The title of `p` names a company `q` never mentions (`StoryComparison.titleConflict`, one way). */
function titleOwns(p: Prepared, q: Prepared): boolean {
  for (const e of p.ownTitle) if (!q.entities.has(e)) return true;
  return false;
}

/** Whether the two share a figure (`sharedAmount`), and a headline figure (`sharedHeadlineAmount`): bit 1 and bit 2. */
function sharedAmounts(x: Prepared, y: Prepared, tol: number): number {
  let shared = 0;
  for (const m of x.amounts) {
    if (m.inTitle && amountIn(m, y.amounts, true, tol)) return 3;
    if (shared === 0 && amountIn(m, y.amounts, false, tol)) shared = 1;
  }
  return shared;
}

/** Whether the two share a topic. */
function sharedTopic(x: Prepared, y: Prepared): boolean {
  for (const t of x.topics) if (y.topics.includes(t)) return true;
  return false;
}

/**
 * `storyScore` of the signatures `a` and `b` were prepared from, with `o` already merged with the
 * defaults: the same rules and arithmetic, reading prepared sets and stopping as soon as the score
 * is known to be 0 (every early return is a 0, so their order is free: the cheapest and most
 * common come first). `marks` holds `a`'s words, its `@entity` ones among them (see `marked`).
 */
function scorePrepared(a: Prepared, b: Prepared, o: Required<StoryOptions>, marks: Uint8Array): number {
  const inWindow = a.time === undefined || b.time === undefined || Math.abs(a.time - b.time) <= o.windowMs;
  if (!inWindow) return 0;
  const tol = o.amountTolerance;
  // Neither a name nor a topic in common: 0, known from the two masks alone.
  if ((a.entityMask & b.entityMask) === 0 && (a.topicMask & b.topicMask) === 0) return 0;
  // Shared names next: most candidates' representatives share none.
  let sharedEntity = false;
  let sharedBroad = false;
  const ids = b.entityIds;
  const len = marks.length;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id >= len || marks[id] !== 1) continue;
    if (i >= b.broadFrom) sharedBroad = true;
    else sharedEntity = true;
  }
  // Without a shared name, only a shared figure with a shared topic can stand in.
  if (!sharedEntity && !sharedBroad && !sharedTopic(a, b)) return 0;
  const amounts = sharedAmounts(a, b, tol);
  if (!sharedEntity && !sharedBroad && amounts === 0) return 0;
  if (headlineUnmatched(a, b, tol) && headlineUnmatched(b, a, tol)) return 0;
  const sharedAmount = amounts !== 0;
  const sharedHeadlineAmount = amounts === 3;
  let needed: number = sharedHeadlineAmount ? o.minSimilarityWithHeadlineAmount : sharedAmount ? o.minSimilarityWithAmount : o.minSimilarity;
  // A broad name, or (checked above) a shared figure and topic, standing in for a shared company.
  if (!sharedEntity) needed += o.broadPenalty;
  if (!sharedAmount && a.money > 0 && b.money > 0) needed += o.amountConflictPenalty;
  if (titleOwns(a, b) && titleOwns(b, a)) needed += o.titleConflictPenalty;
  const gapMs = a.time === undefined || b.time === undefined ? 0 : Math.abs(a.time - b.time);
  needed *= 1 + (o.latePenalty * gapMs) / o.windowMs;
  const size = a.words.length + b.words.length;
  const similarity = size === 0 ? 0 : (2 * marked(marks, b.words)) / size;
  return Math.max(0, Math.min(1, (0.5 * similarity) / needed));
}

/**
 * `storyScore` as the index computes it (prepared forms, the item's words marked): exported so
 * tests can hold the two to the same answers; the index itself never calls it.
 */
export function indexScore(a: StorySignature, b: StorySignature, options: Partial<StoryOptions> = {}): number {
  const ids: WordIds = new Map();
  const pa = prepare(a, ids);
  const pb = prepare(b, ids);
  const marks = new Uint8Array(ids.size);
  for (const id of pa.words) marks[id] = 1;
  return scorePrepared(pa, pb, { ...DEFAULT_STORY_OPTIONS, ...options }, marks);
}

/** A story of the index with what finding it costs. */
interface LiveStory {
  record: StoryRecord;
  /** Creation order: stories are compared, and listed, oldest first. */
  seq: number;
  /** Latest member time (as `>=` reads it); NaN when no member has one, which the next assign forgets. */
  last: number;
  alive: boolean;
  /** Members (from the first, at most `representatives`) whose entities and figures are indexed. */
  indexed: number;
  /** Its entry under each index key it is listed under (see `Listing`). */
  keys: Map<string, Listing>;
  /** Outlets of all members (as `distinctOutlets` counts them), kept as members arrive. */
  outlets: Set<string>;
  /** Marks the last assign that listed it as a candidate. */
  seen: number;
  /** In that assign, the representatives listed under the item's keys (bit i: member i; see `Listing`). */
  reps: number;
  /** `Prepared` of its first members, as they are compared (read without a weak-map lookup). */
  prepared: Prepared[];
  /** Where each named outlet's report is after the representatives (`addReport`). */
  places: Map<string, number>;
}

/**
 * A story under one index key, with which of its representatives put it there: bit i for member i
 * (`REP_BITS` of them; with more representatives, those past the bits are always compared). A
 * representative listed under none of an item's keys shares no name with it and, under the
 * figures' keys, no figure, so it scores 0 (`scorePrepared`): the item is compared only with the
 * representatives listed, where two thirds of the comparisons with every representative of a
 * candidate story ended at 0 (`profile.js advance`).
 */
interface Listing {
  story: LiveStory;
  reps: number;
}

const REP_BITS = 30;

/** A min-heap of stories by `last` (NaN first): stories leave the index in that order. */
interface ExpiryEntry {
  key: number;
  story: LiveStory;
}

function before(a: number, b: number): boolean {
  if (Number.isNaN(a)) return !Number.isNaN(b);
  if (Number.isNaN(b)) return false;
  return a < b;
}

function heapPush(heap: ExpiryEntry[], entry: ExpiryEntry): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent] as ExpiryEntry;
    if (!before(entry.key, p.key)) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = entry;
}

function heapPop(heap: ExpiryEntry[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.length) break;
    const r = l + 1;
    const c = r < heap.length && before((heap[r] as ExpiryEntry).key, (heap[l] as ExpiryEntry).key) ? r : l;
    const child = heap[c] as ExpiryEntry;
    if (!before(child.key, last.key)) break;
    heap[i] = child;
    i = c;
  }
  heap[i] = last;
}

/**
 * The amount index: a figure is listed under its kind and the bucket of its value on a log scale
 * whose step is the tolerance, so figures within the tolerance are at most a bucket or two apart.
 * Zero has its own key; other values (negative, infinite, not numbers) go to `ODD`, always read.
 */
const ODD = '~';

function amountKeys(a: StoryAmount, step: number, spread: number): string[] {
  const v = a.value;
  if (v === 0) return [`${a.kind}|0`];
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) return [ODD];
  const k = Math.floor(Math.log(v) / step);
  const out: string[] = [];
  for (let d = -spread; d <= spread; d++) out.push(`${a.kind}|${k + d}`);
  return out;
}

/** Appends the live stories of a list not taken yet in this round, and gathers the representatives that listed them. */
function take(listings: readonly Listing[] | undefined, round: number, out: LiveStory[]): void {
  if (listings === undefined) return;
  for (const listing of listings) {
    const story = listing.story;
    if (!story.alive) continue;
    if (story.seen === round) {
      story.reps |= listing.reps;
      continue;
    }
    story.seen = round;
    story.reps = listing.reps;
    out.push(story);
  }
}

/**
 * Creates a story index. Greedy: an item joins the recent story whose representatives score best
 * with it (`storyScore` ≥ 0.5), else opens a story whose id is `storyIdOf(key ?? title)`.
 *
 * A score is 0 unless the two items share an entity, or a figure (and a topic): stories are
 * listed under the entities and figures of their representatives, and an item is compared only
 * with the stories listed under its own, in the order a scan of all stories would take. So the
 * cost of placing an item follows the stories that name what it names, not all recent stories.
 */
export function createStoryIndex(options: StoryIndexOptions = {}): StoryIndex {
  const windowMs = options.windowMs ?? DEFAULT_STORY_OPTIONS.windowMs;
  const breakingOutlets = options.breakingOutlets ?? 3;
  const breakingWindowMs = options.breakingWindowMs ?? 3_600_000;
  const representatives = options.representatives ?? STORY_REPRESENTATIVES;
  const storyOptions: Partial<StoryOptions> = { ...options, windowMs };
  const o: Required<StoryOptions> = { ...DEFAULT_STORY_OPTIONS, ...storyOptions };
  const tolerance = o.amountTolerance;
  // Outside (0, 1) the log buckets do not hold: every story with figures is read instead.
  const bucketed = tolerance > 0 && tolerance < 1;
  const step = bucketed ? -Math.log1p(-tolerance) : 1;

  const wordIds: WordIds = new Map();
  /** The words of the item being placed, by id (see `marked`); all 0 between two assigns. */
  let marks = new Uint8Array(1024);
  const prepared = new WeakMap<StorySignature, Prepared>();
  const preparedOf = (sig: StorySignature): Prepared => {
    let p = prepared.get(sig);
    if (p === undefined) {
      p = prepare(sig, wordIds);
      prepared.set(sig, p);
    }
    return p;
  };

  let stories: LiveStory[] = [];
  let dead = 0;
  const byId = new Map<string, LiveStory[]>();
  const listed = new Map<string, Listing[]>();
  const heap: ExpiryEntry[] = [];
  let seq = 0;
  let round = 0;

  const list = (story: LiveStory, key: string, rep: number): void => {
    const bit = rep < REP_BITS ? 1 << rep : 0;
    const known = story.keys.get(key);
    if (known !== undefined) {
      known.reps |= bit;
      return;
    }
    const listing: Listing = { story, reps: bit };
    story.keys.set(key, listing);
    const l = listed.get(key);
    if (l === undefined) listed.set(key, [listing]);
    else l.push(listing);
  };
  const indexMembers = (story: LiveStory): void => {
    const members = story.record.members;
    while (story.indexed < members.length && story.indexed < representatives) {
      const rep = story.indexed;
      const sig = (members[rep] as StoryMember).signature;
      story.indexed += 1;
      // A report kept without signature (the index once ran with fewer representatives) is no representative.
      if (sig === undefined) continue;
      for (const e of sig.entities) list(story, `@${e}`, rep);
      for (const a of sig.amounts) {
        list(story, '$', rep);
        if (bucketed) for (const key of amountKeys(a, step, 0)) list(story, key, rep);
      }
    }
  };
  const noteTime = (story: LiveStory, time: unknown): void => {
    const t = Number(time);
    if (!Number.isNaN(t) && (Number.isNaN(story.last) || t > story.last)) {
      story.last = t;
      heapPush(heap, { key: t, story });
    }
  };
  const addStory = (record: StoryRecord): LiveStory => {
    const story: LiveStory = { record, seq: seq++, last: NaN, alive: true, indexed: 0, keys: new Map(), outlets: new Set(), seen: -1, reps: 0, prepared: [], places: new Map() };
    record.members.forEach((m, i) => {
      noteTime(story, m.time);
      story.outlets.add(m.source ?? `#${i}`);
      if (i >= representatives && m.source !== undefined && !story.places.has(m.source)) story.places.set(m.source, i);
    });
    if (Number.isNaN(story.last)) heapPush(heap, { key: NaN, story });
    indexMembers(story);
    stories.push(story);
    const same = byId.get(record.id);
    if (same === undefined) byId.set(record.id, [story]);
    else same.push(story);
    return story;
  };
  const kill = (story: LiveStory): void => {
    story.alive = false;
    dead += 1;
  };
  /** Forgets the stories with no member at or after `cutoff`, as filtering every story would. */
  const expire = (cutoff: number): void => {
    if (Number.isNaN(cutoff)) {
      for (const story of stories) if (story.alive) kill(story);
      heap.length = 0;
    }
    for (let top = heap[0]; top !== undefined && (Number.isNaN(top.key) || top.key < cutoff); top = heap[0]) {
      heapPop(heap);
      if (top.story.alive && Object.is(top.key, top.story.last)) kill(top.story);
    }
    if (dead > 64 && dead * 2 > stories.length) {
      stories = stories.filter((s) => s.alive);
      for (const [key, l] of listed) {
        const alive = l.filter((s) => s.story.alive);
        if (alive.length === 0) listed.delete(key);
        else if (alive.length < l.length) listed.set(key, alive);
      }
      for (const [id, l] of byId) {
        const alive = l.filter((s) => s.alive);
        if (alive.length === 0) byId.delete(id);
        else if (alive.length < l.length) byId.set(id, alive);
      }
      dead = 0;
    }
  };
  /** The live stories that may score above 0 with `sig`, oldest first. */
  const candidates = (sig: StorySignature): LiveStory[] => {
    round += 1;
    const out: LiveStory[] = [];
    for (const e of sig.entities) take(listed.get(`@${e}`), round, out);
    // Without a shared name, a shared figure counts only with a shared topic.
    if (sig.amounts.length > 0 && sig.topics.length > 0) {
      if (!bucketed || sig.amounts.some((a) => amountKeys(a, step, 0)[0] === ODD)) take(listed.get('$'), round, out);
      else {
        take(listed.get(ODD), round, out);
        for (const a of sig.amounts) for (const key of amountKeys(a, step, 2)) take(listed.get(key), round, out);
      }
    }
    return out.sort((a, b) => a.seq - b.seq);
  };

  const ids = new Set<string>();
  for (const s of options.initial ?? []) {
    // The literal `assign` opens stories with: one hidden class for every story record.
    const members: StoryMember[] = [];
    for (const m of s.members) members.push(storyMember(m.signature === undefined ? undefined : signatureOf(m.signature), m.source, m.time));
    addStory({ id: s.id, members, breaking: s.breaking });
    ids.add(s.id);
  }
  const copy = (s: LiveStory): StoryRecord => ({ ...s.record, members: [...s.record.members] });
  /** The live stories of these ids, oldest first. */
  const touchedStories = (wanted: Iterable<string>): LiveStory[] => {
    const out: LiveStory[] = [];
    for (const id of wanted) for (const s of byId.get(id) ?? []) if (s.alive) out.push(s);
    return out.sort((a, b) => a.seq - b.seq);
  };

  return {
    assign(item, nowArg) {
      const now = typeof nowArg === 'number' ? nowArg : nowArg.getTime();
      expire(now - windowMs);
      const signature = storySignature(item);
      const time = signature.time ?? now;
      let best: LiveStory | undefined;
      let bestScore = 0.5;
      let mine: Prepared | undefined;
      for (const story of candidates(signature)) {
        if (mine === undefined) {
          mine = preparedOf(signature);
          // Its words marked once for all the comparisons below, unmarked after them.
          if (marks.length < wordIds.size) marks = new Uint8Array(Math.max(wordIds.size, marks.length * 2));
          for (const id of mine.words) marks[id] = 1;
        }
        const members = story.record.members;
        const n = Math.min(members.length, representatives);
        const reps = story.reps;
        for (let i = 0; i < n; i++) {
          // Scores are at most 1: once this story holds the best at 1, its other members change nothing.
          if (best === story && bestScore >= 1) break;
          // Not listed under the item's keys: a score of 0.
          if (i < REP_BITS && ((reps >>> i) & 1) === 0) continue;
          const sig = (members[i] as StoryMember).signature;
          if (sig === undefined) continue;
          const theirs = (story.prepared[i] ??= preparedOf(sig));
          const score = scorePrepared(mine, theirs, o, marks);
          if (score >= bestScore && (best !== story || score > bestScore)) {
            best = story;
            bestScore = score;
          }
        }
      }
      if (mine !== undefined) for (const id of mine.words) marks[id] = 0;
      const member = storyMember(signature, item.source, time);
      if (best === undefined) {
        let id = storyIdOf(item.key ?? item.title);
        for (let n = 2; ids.has(id); n++) id = storyIdOf(`${item.key ?? item.title}#${n}`);
        ids.add(id);
        const breaking = breakingOutlets <= 1;
        addStory({ id, members: [member], breaking });
        return { storyId: id, isNew: true, sources: 1, breaking, becameBreaking: breaking, member: 0 };
      }
      const record = best.record;
      const place = addReport(record.members, member, representatives, best.places);
      best.outlets.add(member.source ?? `#${record.members.length - 1}`);
      noteTime(best, time);
      indexMembers(best);
      const wasBreaking = record.breaking;
      if (!wasBreaking) record.breaking = distinctOutlets(record.members, time - breakingWindowMs) >= breakingOutlets;
      return {
        storyId: record.id,
        isNew: false,
        sources: best.outlets.size,
        breaking: record.breaking,
        becameBreaking: record.breaking && !wasBreaking,
        member: place,
      };
    },
    snapshot() {
      return stories.filter((s) => s.alive).map(copy);
    },
    readOf(wanted) {
      return touchedStories(wanted).map((s) => s.record);
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
