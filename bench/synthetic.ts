// Synthetic news items for the benchmark: realistic AI-chip, crypto and unrelated headlines in
// English and French, ~1.5 KB of RSS each, from a seeded generator (the same run, the same feeds).

/** A small seeded PRNG (mulberry32): deterministic feeds for comparable runs. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

const CHIP_CO = ['Nvidia', 'AMD', 'TSMC', 'Intel', 'Broadcom', 'CoreWeave', 'Cerebras', 'Groq', 'Micron', 'SK Hynix', 'Arm', 'Qualcomm'];
const CHIP_THING = ['H200 accelerators', 'Blackwell GPUs', 'Rubin chips', 'HBM4 memory', 'MI400 accelerators', '2nm wafers', 'AI servers', 'data center GPUs'];
const CHIP_FR = ['puces IA', 'accélérateurs H200', 'GPU Blackwell', 'mémoire HBM4', 'centres de données', 'serveurs IA'];
const COIN = ['Bitcoin', 'Ether', 'Solana', 'XRP', 'Tether', 'Dogecoin', 'Cardano', 'stablecoins'];
const CRYPTO_CO = ['Coinbase', 'Binance', 'Kraken', 'BlackRock', 'MicroStrategy', 'Circle'];
const PLACE = ['Texas', 'Arizona', 'Taiwan', 'Japan', 'Ireland', 'France', 'Saudi Arabia', 'Malaysia'];
const OTHER_EN = [
  'City council approves new bike lanes downtown',
  'Storm brings heavy rain to the coast this weekend',
  'Local bakery wins national croissant award',
  'Potato chips prices rise as harvest disappoints',
  'Football club signs young striker on a five-year deal',
  'Museum reopens after two-year renovation',
  'Airline adds summer routes to the Mediterranean',
  'School board debates later start times',
  'Heatwave expected to break records in the south',
  'Film festival announces its opening night lineup',
];
const OTHER_FR = [
  'La mairie inaugure une nouvelle piste cyclable',
  'Orages attendus sur la côte atlantique ce week-end',
  'Le Tour de France dévoile son parcours',
  'Une boulangerie lyonnaise primée pour son croissant',
  'Grève des contrôleurs aériens : vols annulés',
  'Le musée rouvre après deux ans de travaux',
  'Canicule : des records de chaleur attendus dans le Sud',
  'Le festival de cinéma annonce sa programmation',
];
const FILLER_EN = [
  'Analysts said the announcement had been expected for several weeks.',
  'The company declined to comment beyond its statement.',
  'Shares moved in early trading as investors weighed the news.',
  'People familiar with the matter said talks were continuing.',
  'The figures were published in a filing on Tuesday.',
  'Officials said more details would follow later this month.',
  'The move comes amid rising demand and tight supply.',
  'Regulators have been watching the sector closely.',
];
const FILLER_FR = [
  'Les analystes attendaient cette annonce depuis plusieurs semaines.',
  "L'entreprise n'a pas souhaité commenter au-delà de son communiqué.",
  "Le titre a réagi dès l'ouverture de la séance.",
  'Selon des sources proches du dossier, les discussions se poursuivent.',
  'Les chiffres ont été publiés mardi dans un document officiel.',
  'Les autorités promettent davantage de détails dans les prochains jours.',
];

/** One synthetic item. */
export interface SyntheticItem {
  id: string;
  title: string;
  summary: string;
  published: Date;
  kind: 'ai-chips' | 'crypto' | 'other';
}

/** A headline and its first sentence: 25 % AI chips, 25 % crypto, 50 % unrelated; a third in French. */
function headline(rnd: () => number): { title: string; lead: string; kind: SyntheticItem['kind']; fr: boolean } {
  const fr = rnd() < 0.33;
  const r = rnd();
  const n = 1 + Math.floor(rnd() * 99);
  if (r < 0.25) {
    const co = pick(rnd, CHIP_CO);
    const title = fr
      ? pick(rnd, [`${co} investit ${n} milliards de dollars dans des ${pick(rnd, CHIP_FR)}`, `${co} accélère la production de ${pick(rnd, CHIP_FR)} au ${pick(rnd, PLACE)}`, `Pénurie de ${pick(rnd, CHIP_FR)} : ${co} relève ses prévisions`])
      : pick(rnd, [`${co} ships more ${pick(rnd, CHIP_THING)} as demand soars`, `${co} plans $${n} billion ${pick(rnd, CHIP_THING)} plant in ${pick(rnd, PLACE)}`, `${co} signs ${n} GW data center deal for ${pick(rnd, CHIP_THING)}`, `${co} shares jump ${n % 20}% on ${pick(rnd, CHIP_THING)} orders`]);
    return { title, lead: title, kind: 'ai-chips', fr };
  }
  if (r < 0.5) {
    const coin = pick(rnd, COIN);
    const co = pick(rnd, CRYPTO_CO);
    const title = fr
      ? pick(rnd, [`Le ${coin} chute de ${n % 15} % après des retraits massifs sur ${co}`, `${co} lance un ETF ${coin} en Europe`, `Le cours du ${coin} atteint un record`])
      : pick(rnd, [`${coin} plunges ${n % 15}% as ${co} halts withdrawals`, `${co} files for a spot ${coin} ETF`, `${coin} hits a record above $${n},000`, `${co} buys $${n} million of ${coin}`]);
    return { title, lead: title, kind: 'crypto', fr };
  }
  const title = fr ? pick(rnd, OTHER_FR) : pick(rnd, OTHER_EN);
  return { title, lead: title, kind: 'other', fr };
}

/** A new item for a feed; its summary is padded with filler sentences so the item is ~1.5 KB of RSS. */
export function syntheticItem(rnd: () => number, id: string, published: Date): SyntheticItem {
  const h = headline(rnd);
  const filler = h.fr ? FILLER_FR : FILLER_EN;
  let summary = `${h.lead}.`;
  while (summary.length < 1150) summary += ` ${pick(rnd, filler)}`;
  return { id, title: h.title, summary, published, kind: h.kind };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An RSS 2.0 document, newest item first. */
export function renderRss(feedId: string, items: readonly SyntheticItem[]): string {
  const host = `${feedId}.example`;
  const body = items
    .map(
      (i) =>
        `<item><title>${esc(i.title)}</title><link>https://${host}/news/${i.id}.html</link><guid isPermaLink="false">${i.id}</guid>` +
        `<pubDate>${i.published.toUTCString()}</pubDate><description>${esc(i.summary)}</description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Wire ${feedId}</title><link>https://${host}/</link><description>Synthetic feed ${feedId}</description>\n${body}\n</channel></rss>\n`;
}
