// The entity dictionary: companies, labs, products, crypto assets, exchanges and regulators that
// the topic judge and the story clusterer both recognise, each under every name the English and
// French press gives it (names, tickers, people, descriptions such as « le fondeur taïwanais »).
// Pure data plus small helpers; compiled by topics.ts into its one phrase matcher.
import type { Topic } from '../domain.js';

/**
 * How an entity's name counts for its topic.
 * - `strong`: the name alone decides the topic (Nvidia, Bitcoin, H200).
 * - `ambiguous`: the name has another common sense (Intel = intelligence, Ripple = a wave): it
 *   decides with a context word of the topic or a business word (shares, earnings, stake …).
 * - `context`: a big company that is often about something else (Oracle, Microsoft): it decides
 *   only with a context word of the topic (data center, GPU …).
 * - `lab`: an AI lab, whose money becomes compute: decides with a context word or a funding word.
 * - `none`: only recognised for story clustering (Apple, the SEC …).
 */
export type EntityRole = 'strong' | 'ambiguous' | 'context' | 'lab' | 'none';

/** One entity of the dictionary. */
export interface EntityDef {
  /** Stable id used in story signatures, e.g. `nvidia`. */
  readonly id: string;
  /** The topic its names speak for, or null for entities that only help clustering. */
  readonly topic: Topic | null;
  readonly role: EntityRole;
  /**
   * Names, aliases and descriptions (EN and FR), written naturally: matching folds case, accents
   * and punctuation. A leading `=` makes a spelling case-sensitive: it then matches only as
   * written or in capitals (`=Intel` is not "intel", `=SOL` is not the French « sol »).
   */
  readonly names: readonly string[];
  /**
   * Exchange tickers (`NVDA`, `BTC`): matched like case-sensitive names, and listed by
   * `KNOWN_TICKERS` for highlight extraction.
   */
  readonly tickers?: readonly string[];
  /**
   * Senses (keys of `SENSES`) that, when present anywhere in the item, mean the name is used in
   * another sense and must not count (AMD in an article about macular degeneration).
   */
  readonly unlessSense?: readonly string[];
}

/** Words that reveal another sense of an ambiguous name; see `EntityDef.unlessSense`. */
export const SENSES: Readonly<Record<string, readonly string[]>> = {
  medical: [
    'macular',
    'maculaire',
    'retina',
    'retinal',
    'rétine',
    'ophthalmology',
    'ophtalmologie',
    'ophthalmologist',
    'eye drug',
    'eye disease',
    'vision loss',
    'perte de vision',
    'patients',
  ],
  astronomy: [
    'observatory',
    'observatoire',
    'telescope',
    'telescopes',
    'télescope',
    'astronomy',
    'astronomie',
    'astronomer',
    'astronomers',
    'astronome',
    'astronomes',
    'galaxy',
    'galaxies',
    'dark matter',
    'matière noire',
  ],
  hockey: ['hockey', 'NHL', 'LNH', 'playoffs', 'Stanley Cup'],
  materials: ['thermoplastic', 'polyurethane', 'polyuréthane', 'phone case', 'filament'],
  water: ['water', 'eau', 'vapour', 'vapor', 'vapeur', 'hydrogen', 'hydrogène', 'oxygen', 'oxygène', 'molecule', 'molécule', 'drinking', 'potable'],
  anaesthesia: ['anaesthesia', 'anesthesia', 'anesthésie', 'anaesthetic', 'anesthetic', 'solvent', 'solvant'],
};

// Descriptions the French and English press use instead of a name. Built from parts so that the
// usual variants (premier / numéro un / leader, mondial or not, des / de) are all covered.
function descriptions(heads: readonly string[], objects: readonly string[]): string[] {
  const out: string[] = [];
  for (const head of heads) for (const object of objects) out.push(`${head} ${object}`);
  return out;
}

const FR_LEADER = [
  'premier fabricant mondial de',
  'premier fabricant mondial des',
  'plus grand fabricant mondial de',
  'premier concepteur mondial de',
  'numéro un mondial des',
  'numéro un mondial de',
  'numéro un des',
  'leader mondial des',
  'leader mondial de',
  'leader des',
  'champion des',
  'champion américain des',
  'géant des',
  'géant américain des',
  'géant mondial des',
  'roi des',
];
const FR_GPU = ['cartes graphiques', 'processeurs graphiques', 'puces graphiques', "puces d'IA", 'puces IA', "puces pour l'IA", 'accélérateurs IA'];
const EN_GPU_MAKER = [
  "world's largest maker of graphics processors",
  "world's biggest maker of graphics processors",
  "world's largest maker of AI chips",
  "world's biggest maker of AI chips",
  'largest maker of AI chips',
  'biggest maker of AI chips',
  'leading maker of AI chips',
  'dominant maker of AI chips',
  'GPU giant',
  'GPU maker',
  'graphics chip giant',
  'graphics chipmaker',
  'AI chip giant',
  'AI chip leader',
  'AI chip champion',
];

/** The dictionary. Order matters only for display. */
export const ENTITIES: readonly EntityDef[] = [
  // --- AI chips: makers of accelerators, foundries, memory, equipment ---
  {
    id: 'nvidia',
    topic: 'ai-chips',
    role: 'strong',
    names: [
      'Nvidia',
      'Nvidia Corp',
      'Jensen Huang',
      'géant des puces',
      'géant américain des puces',
      'géant des semi-conducteurs américain',
      ...descriptions(FR_LEADER, FR_GPU),
      ...EN_GPU_MAKER,
    ],
    tickers: ['NVDA'],
  },
  {
    id: 'amd',
    topic: 'ai-chips',
    role: 'strong',
    names: ['=AMD', 'Advanced Micro Devices', 'Lisa Su', 'AMD Instinct', 'Instinct MI300X', 'Instinct MI450'],
    tickers: ['AMD'],
    unlessSense: ['medical'],
  },
  {
    id: 'intel',
    topic: 'ai-chips',
    role: 'ambiguous',
    names: ['=Intel', 'Intel Corp', 'Intel Foundry', 'Lip-Bu Tan', 'Pat Gelsinger'],
    tickers: ['INTC'],
  },
  {
    id: 'tsmc',
    topic: 'ai-chips',
    role: 'strong',
    names: [
      'TSMC',
      'Taiwan Semiconductor',
      'Taiwan Semiconductor Manufacturing',
      'fondeur taïwanais',
      'fondeur taiwanais',
      'premier fondeur mondial',
      'plus grand fondeur mondial',
      'plus grand fondeur du monde',
      'numéro un mondial de la sous-traitance de semi-conducteurs',
      'Taiwanese chipmaker',
      'Taiwan chipmaker',
      "world's largest contract chipmaker",
      "world's biggest contract chipmaker",
      'C.C. Wei',
    ],
    tickers: ['TSM'],
  },
  { id: 'broadcom', topic: 'ai-chips', role: 'strong', names: ['Broadcom', 'Hock Tan'], tickers: ['AVGO'] },
  { id: 'coreweave', topic: 'ai-chips', role: 'strong', names: ['CoreWeave', 'Michael Intrator'], tickers: ['CRWV'] },
  { id: 'nebius', topic: 'ai-chips', role: 'strong', names: ['Nebius'], tickers: ['NBIS'] },
  { id: 'cerebras', topic: 'ai-chips', role: 'strong', names: ['Cerebras'] },
  { id: 'groq', topic: 'ai-chips', role: 'strong', names: ['Groq'] },
  { id: 'sambanova', topic: 'ai-chips', role: 'strong', names: ['SambaNova'] },
  { id: 'tenstorrent', topic: 'ai-chips', role: 'strong', names: ['Tenstorrent'] },
  { id: 'graphcore', topic: 'ai-chips', role: 'strong', names: ['Graphcore'] },
  { id: 'cambricon', topic: 'ai-chips', role: 'strong', names: ['Cambricon'] },
  { id: 'moore-threads', topic: 'ai-chips', role: 'strong', names: ['Moore Threads'] },
  { id: 'smic', topic: 'ai-chips', role: 'strong', names: ['SMIC', 'Semiconductor Manufacturing International'] },
  { id: 'sk-hynix', topic: 'ai-chips', role: 'strong', names: ['SK Hynix', 'Hynix'] },
  { id: 'micron', topic: 'ai-chips', role: 'ambiguous', names: ['=Micron', 'Micron Technology'] },
  { id: 'samsung', topic: 'ai-chips', role: 'context', names: ['Samsung', 'Samsung Electronics'] },
  { id: 'asml', topic: 'ai-chips', role: 'strong', names: ['ASML'] },
  { id: 'applied-materials', topic: 'ai-chips', role: 'strong', names: ['Applied Materials'] },
  { id: 'lam-research', topic: 'ai-chips', role: 'strong', names: ['Lam Research'] },
  { id: 'tokyo-electron', topic: 'ai-chips', role: 'strong', names: ['Tokyo Electron'] },
  { id: 'globalfoundries', topic: 'ai-chips', role: 'strong', names: ['GlobalFoundries'] },
  { id: 'rapidus', topic: 'ai-chips', role: 'strong', names: ['Rapidus'] },
  { id: 'supermicro', topic: 'ai-chips', role: 'strong', names: ['Supermicro', 'Super Micro Computer', 'Super Micro'], tickers: ['SMCI'] },
  { id: 'arm', topic: 'ai-chips', role: 'context', names: ['=Arm', 'Arm Holdings', 'René Haas'] },
  { id: 'qualcomm', topic: 'ai-chips', role: 'context', names: ['Qualcomm'] },
  { id: 'huawei', topic: 'ai-chips', role: 'context', names: ['Huawei'] },
  // --- AI clouds and hosts ---
  { id: 'lambda', topic: 'ai-chips', role: 'context', names: ['=Lambda', 'Lambda Labs'] },
  { id: 'iren', topic: 'ai-chips', role: 'context', names: ['=IREN', 'Iris Energy'] },
  { id: 'crusoe', topic: 'ai-chips', role: 'context', names: ['Crusoe', 'Crusoe Energy'] },
  { id: 'core-scientific', topic: 'ai-chips', role: 'context', names: ['Core Scientific'] },
  { id: 'cipher-mining', topic: 'ai-chips', role: 'context', names: ['Cipher Mining'] },
  { id: 'terawulf', topic: 'ai-chips', role: 'context', names: ['TeraWulf'] },
  { id: 'fluidstack', topic: 'ai-chips', role: 'context', names: ['Fluidstack'] },
  { id: 'northern-data', topic: 'ai-chips', role: 'context', names: ['Northern Data'] },
  { id: 'humain', topic: 'ai-chips', role: 'context', names: ['=Humain'] },
  { id: 'g42', topic: 'ai-chips', role: 'context', names: ['G42'] },
  // --- Big platforms whose compute spending belongs to the topic ---
  { id: 'oracle', topic: 'ai-chips', role: 'context', names: ['=Oracle', 'Oracle Cloud', 'Larry Ellison'], tickers: ['ORCL'] },
  {
    id: 'microsoft',
    topic: 'ai-chips',
    role: 'context',
    names: ['Microsoft', 'Azure', 'Satya Nadella', 'groupe de Redmond', 'géant de Redmond'],
    tickers: ['MSFT'],
  },
  { id: 'amazon', topic: 'ai-chips', role: 'context', names: ['Amazon', 'AWS', 'Amazon Web Services', 'Andy Jassy'], tickers: ['AMZN'] },
  { id: 'google', topic: 'ai-chips', role: 'context', names: ['Google', 'Alphabet', 'Sundar Pichai', 'Google Cloud'], tickers: ['GOOGL', 'GOOG'] },
  { id: 'meta', topic: 'ai-chips', role: 'context', names: ['=Meta', 'Meta Platforms', 'Mark Zuckerberg', 'Zuckerberg'], tickers: ['META'] },
  { id: 'softbank', topic: 'ai-chips', role: 'context', names: ['SoftBank', 'Masayoshi Son'] },
  { id: 'alibaba', topic: 'ai-chips', role: 'context', names: ['Alibaba'] },
  { id: 'tencent', topic: 'ai-chips', role: 'context', names: ['Tencent'] },
  { id: 'baidu', topic: 'ai-chips', role: 'context', names: ['Baidu'] },
  { id: 'bytedance', topic: 'ai-chips', role: 'context', names: ['ByteDance'] },
  { id: 'tesla', topic: 'ai-chips', role: 'context', names: ['Tesla'] },
  { id: 'dell', topic: 'ai-chips', role: 'context', names: ['=Dell'] },
  { id: 'blue-owl', topic: 'ai-chips', role: 'context', names: ['Blue Owl'] },
  // --- AI labs ---
  {
    id: 'openai',
    topic: 'ai-chips',
    role: 'lab',
    names: [
      'OpenAI',
      'Sam Altman',
      'ChatGPT maker',
      'maker of ChatGPT',
      'ChatGPT developer',
      'créateur de ChatGPT',
      'concepteur de ChatGPT',
      'éditeur de ChatGPT',
      'maison mère de ChatGPT',
    ],
  },
  { id: 'anthropic', topic: 'ai-chips', role: 'lab', names: ['Anthropic', 'Dario Amodei', 'Claude maker'] },
  { id: 'xai', topic: 'ai-chips', role: 'lab', names: ['=xAI'] },
  { id: 'mistral', topic: 'ai-chips', role: 'lab', names: ['Mistral AI', '=Mistral'] },
  { id: 'deepseek', topic: 'ai-chips', role: 'lab', names: ['DeepSeek'] },
  { id: 'stargate', topic: 'ai-chips', role: 'none', names: ['Stargate'] },
  // --- Products ---
  { id: 'h100', topic: 'ai-chips', role: 'strong', names: ['H100', 'H100s'] },
  { id: 'h200', topic: 'ai-chips', role: 'strong', names: ['H200', 'H200s'] },
  { id: 'h20', topic: 'ai-chips', role: 'strong', names: ['=H20'], unlessSense: ['water'] },
  {
    id: 'blackwell',
    topic: 'ai-chips',
    role: 'strong',
    names: ['Blackwell', 'Blackwell Ultra', 'Grace Blackwell', 'B100', 'B200', 'B200s', 'B300', 'GB200', 'GB300', 'NVL72'],
  },
  { id: 'rubin', topic: 'ai-chips', role: 'strong', names: ['Vera Rubin', 'Rubin GPU', 'Rubin GPUs', 'Rubin Ultra', 'Rubin CPX'], unlessSense: ['astronomy'] },
  {
    id: 'instinct',
    topic: 'ai-chips',
    role: 'strong',
    names: ['MI300', 'MI300X', 'MI300A', 'MI308', 'MI325X', 'MI350', 'MI350X', 'MI355X', 'MI400', 'MI450'],
  },
  { id: 'tpu', topic: 'ai-chips', role: 'strong', names: ['TPU', 'TPUs', 'tensor processing unit', 'tensor processing units', 'Ironwood TPU'], unlessSense: ['materials'] },
  { id: 'trainium', topic: 'ai-chips', role: 'strong', names: ['Trainium', 'Trainium2', 'Trainium3', 'Trainium4', 'Inferentia', 'Inferentia2'] },
  { id: 'gaudi', topic: 'ai-chips', role: 'strong', names: ['Intel Gaudi', 'Gaudi 2', 'Gaudi 3', 'Gaudi2', 'Gaudi3'] },
  { id: 'ascend', topic: 'ai-chips', role: 'strong', names: ['Huawei Ascend', 'Ascend 910B', 'Ascend 910C', '910C'] },
  { id: 'hbm', topic: 'ai-chips', role: 'strong', names: ['HBM', 'HBM3', 'HBM3E', 'HBM4', 'high bandwidth memory', 'high-bandwidth memory', 'mémoire HBM'] },
  { id: 'cuda', topic: 'ai-chips', role: 'strong', names: ['CUDA', 'NVLink', 'NVLink Fusion', 'DGX', 'Grace Hopper superchip', 'Hopper GPU', 'Hopper GPUs'] },

  // --- Crypto: assets ---
  {
    id: 'bitcoin',
    topic: 'crypto',
    role: 'strong',
    names: [
      'Bitcoin',
      'Bitcoins',
      'XBT',
      'Satoshi Nakamoto',
      'reine des cryptos',
      'reine des cryptomonnaies',
      'reine des cryptomonnaies',
      'première cryptomonnaie',
      'première des cryptomonnaies',
      'première crypto',
      'largest cryptocurrency',
      'biggest cryptocurrency',
      "world's largest cryptocurrency",
      "world's biggest cryptocurrency",
      'original cryptocurrency',
    ],
    tickers: ['BTC'],
  },
  {
    id: 'ether',
    topic: 'crypto',
    role: 'strong',
    names: ['Ether', 'Ethers', 'Ethereum', 'Vitalik Buterin', 'second-largest cryptocurrency', 'second-biggest cryptocurrency', 'deuxième cryptomonnaie'],
    tickers: ['ETH'],
    unlessSense: ['anaesthesia'],
  },
  { id: 'xrp', topic: 'crypto', role: 'strong', names: ['XRP', 'XRP Ledger'] },
  { id: 'ripple', topic: 'crypto', role: 'ambiguous', names: ['=Ripple', 'Ripple Labs', 'Brad Garlinghouse', 'RLUSD'] },
  { id: 'solana', topic: 'crypto', role: 'strong', names: ['Solana'], tickers: ['SOL'] },
  { id: 'bnb', topic: 'crypto', role: 'strong', names: ['BNB', 'BNB Chain'] },
  { id: 'dogecoin', topic: 'crypto', role: 'strong', names: ['Dogecoin'] },
  { id: 'cardano', topic: 'crypto', role: 'strong', names: ['Cardano'] },
  { id: 'litecoin', topic: 'crypto', role: 'strong', names: ['Litecoin'] },
  { id: 'tron', topic: 'crypto', role: 'strong', names: ['Tron network', 'Justin Sun'] },
  { id: 'hyperliquid', topic: 'crypto', role: 'strong', names: ['Hyperliquid'] },
  { id: 'tether', topic: 'crypto', role: 'strong', names: ['=Tether', 'Paolo Ardoino'], tickers: ['USDT'] },
  { id: 'usdc', topic: 'crypto', role: 'strong', names: ['USD Coin'], tickers: ['USDC'] },
  { id: 'circle', topic: 'crypto', role: 'ambiguous', names: ['=Circle', 'Circle Internet'], tickers: ['CRCL'] },
  { id: 'usde', topic: 'crypto', role: 'strong', names: ['USDe', 'Ethena'] },
  // --- Crypto: exchanges, brokers, issuers, treasuries ---
  { id: 'binance', topic: 'crypto', role: 'strong', names: ['Binance', 'Changpeng Zhao', '=CZ'] },
  { id: 'coinbase', topic: 'crypto', role: 'strong', names: ['Coinbase', 'Brian Armstrong'] },
  { id: 'kraken', topic: 'crypto', role: 'ambiguous', names: ['=Kraken'], unlessSense: ['hockey'] },
  { id: 'bybit', topic: 'crypto', role: 'strong', names: ['Bybit'] },
  { id: 'okx', topic: 'crypto', role: 'strong', names: ['OKX'] },
  { id: 'bitfinex', topic: 'crypto', role: 'strong', names: ['Bitfinex'] },
  { id: 'bitstamp', topic: 'crypto', role: 'strong', names: ['Bitstamp'] },
  { id: 'ftx', topic: 'crypto', role: 'strong', names: ['FTX', 'Sam Bankman-Fried'] },
  { id: 'strategy', topic: 'crypto', role: 'strong', names: ['MicroStrategy', 'Michael Saylor', '=Saylor'], tickers: ['MSTR'] },
  { id: 'strategy', topic: null, role: 'none', names: ['=Strategy'] },
  { id: 'grayscale', topic: 'crypto', role: 'strong', names: ['Grayscale'], tickers: ['GBTC'] },
  { id: 'bitwise', topic: 'crypto', role: 'ambiguous', names: ['=Bitwise'] },
  { id: 'canary', topic: 'crypto', role: 'none', names: ['Canary Capital'] },
  { id: 'blackrock', topic: null, role: 'none', names: ['BlackRock'] },
  { id: 'ibit', topic: 'crypto', role: 'strong', names: ['IBIT', 'ETHA', 'BSOL', 'XRPC'] },
  // --- Crypto: regulation ---
  { id: 'mica', topic: 'crypto', role: 'strong', names: ['=MiCA', 'MiCA regulation', 'règlement MiCA'] },
  { id: 'genius-act', topic: 'crypto', role: 'strong', names: ['GENIUS Act', 'loi GENIUS'] },
  { id: 'clarity-act', topic: 'crypto', role: 'none', names: ['CLARITY Act', 'loi CLARITY'] },
  { id: 'sec', topic: null, role: 'none', names: ['=SEC', 'Securities and Exchange Commission', 'gendarme de la Bourse américaine', 'Paul Atkins', 'Gary Gensler'] },
  { id: 'cftc', topic: null, role: 'none', names: ['CFTC'] },
  { id: 'amf', topic: null, role: 'none', names: ['=AMF', 'Autorité des marchés financiers', 'gendarme français de la Bourse'] },

  // --- Clustering only: frequent actors of either topic's news ---
  { id: 'apple', topic: null, role: 'none', names: ['Apple'] },
  { id: 'trump', topic: null, role: 'none', names: ['Trump', 'Donald Trump', 'Maison-Blanche', 'White House'] },
  { id: 'china', topic: null, role: 'none', names: ['China', 'Chine', 'Beijing', 'Pékin', 'Chinese', 'chinois', 'chinoise', 'chinoises', 'chinois'] },
  { id: 'fed', topic: null, role: 'none', names: ['Federal Reserve', 'Réserve fédérale', '=Fed', 'Jerome Powell'] },
  { id: 'ecb', topic: null, role: 'none', names: ['ECB', 'BCE', 'Christine Lagarde', 'Lagarde'] },
];

/** Tickers of the dictionary, upper-case: the only bare upper-case words `extractHighlights` reports as tickers. */
export const KNOWN_TICKERS: ReadonlySet<string> = new Set(ENTITIES.flatMap((e) => e.tickers ?? []).concat(['XRP', 'BNB', 'IBIT', 'ETHA']));
