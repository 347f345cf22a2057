// The bundled demo feeds: an English RSS 2.0 feed, a French Atom feed and an RDF crypto feed. The
// French stories follow the article wirewatch was started from.

export interface DemoItem {
  id: string;
  title: string;
  summary: string;
  /** Minutes before the demo started. */
  minutesAgo: number;
}

export interface DemoFeed {
  path: string;
  title: string;
  format: 'rss' | 'atom' | 'rdf';
  /** Items already there at the first poll (the backlog). */
  backlog: DemoItem[];
  /** Items published during the demo, in steps. */
  steps: DemoItem[][];
}

export const DEMO_FEEDS: DemoFeed[] = [
  {
    path: '/chipwire.xml',
    title: 'Chip Wire',
    format: 'rss',
    backlog: [
      { id: 'cw-1', title: 'TSMC lifts capex as AI accelerator demand stays hot', summary: 'The foundry expects CoWoS packaging capacity to double again next year.', minutesAgo: 300 },
      { id: 'cw-2', title: 'Review: the new gaming GPU is fast and loud', summary: 'Great frame rates, but the cooler whines under load.', minutesAgo: 240 },
    ],
    steps: [
      [
        { id: 'cw-3', title: 'Nvidia pulls back from planned $100 billion OpenAI investment, WSJ reports', summary: 'The chipmaker has doubts about the scale of the 10-gigawatt data center project, people familiar said.', minutesAgo: 3 },
        { id: 'cw-4', title: 'Oracle doubles jobs pledge for contested OpenAI data center in New Mexico', summary: 'Residents still worry about water use at the AI campus.', minutesAgo: 2 },
        { id: 'cw-5', title: "Potato chip maker unveils three new flavours", summary: 'Salt and vinegar returns after a two-year break.', minutesAgo: 2 },
      ],
      [{ id: 'cw-6', title: 'Nvidia to invest another $2 billion in CoreWeave', summary: 'The cloud provider is also one of the largest buyers of its chips.', minutesAgo: 1 }],
    ],
  },
  {
    path: '/lapuce.atom',
    title: 'La Puce',
    format: 'atom',
    backlog: [
      { id: 'lp-1', title: 'Les fondeurs européens veulent leur part du marché des puces IA', summary: 'Un plan de 40 milliards d’euros est sur la table.', minutesAgo: 500 },
    ],
    steps: [
      [
        { id: 'lp-2', title: 'Nvidia renonce à investir 100 milliards de dollars dans OpenAI', summary: 'Le géant des puces doute de l’ampleur du projet de centres de données de dix gigawatts, selon le Wall Street Journal.', minutesAgo: 4 },
        { id: 'lp-3', title: 'La Chine autorise Alibaba et Tencent à commander des puces H200 de Nvidia', summary: 'Pékin approuve l’importation, à condition de continuer à acheter des puces locales.', minutesAgo: 3 },
        { id: 'lp-4', title: 'Le PDG de Robinhood : l’IA crée de l’emploi, pas du chômage', summary: 'La peur de l’IA est infondée, affirme-t-il.', minutesAgo: 2 },
      ],
      [],
    ],
  },
  {
    path: '/coinfil.rdf',
    title: 'Coin Fil',
    format: 'rdf',
    backlog: [{ id: 'cf-1', title: 'Stablecoin supply hits a record', summary: 'USDT and USDC together pass a new high.', minutesAgo: 400 }],
    steps: [
      [
        { id: 'cf-2', title: 'Bitcoin et XRP s’effondrent : pourquoi les investisseurs paniquent', summary: 'La crainte d’un shutdown américain et la décision de la Fed pèsent sur les cryptos.', minutesAgo: 1 },
        { id: 'cf-3', title: 'Christine Lagarde quitte furieuse un dîner à Davos', summary: 'Une critique acerbe d’un haut fonctionnaire américain.', minutesAgo: 1 },
        { id: 'cf-4', title: 'ETH Zurich opens a new robotics lab', summary: 'The university expands its campus.', minutesAgo: 1 },
      ],
      [],
    ],
  },
];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Renders a demo feed with the items published so far, newest first. */
export function renderDemoFeed(feed: DemoFeed, items: readonly DemoItem[], origin: string, startedAt: number): string {
  const dated = [...items].sort((a, b) => a.minutesAgo - b.minutesAgo).map((i) => ({ ...i, date: new Date(startedAt - i.minutesAgo * 60_000) }));
  const link = (i: DemoItem) => `${origin}/articles/${i.id}`;
  if (feed.format === 'rss') {
    return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${esc(feed.title)}</title><link>${origin}/</link><description>Demo feed</description>
${dated.map((i) => `<item><title>${esc(i.title)}</title><link>${link(i)}</link><guid isPermaLink="false">${i.id}</guid><pubDate>${i.date.toUTCString()}</pubDate><description>${esc(i.summary)}</description></item>`).join('\n')}
</channel></rss>`;
  }
  if (feed.format === 'atom') {
    return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>${esc(feed.title)}</title><id>${origin}${feed.path}</id><updated>${new Date(startedAt).toISOString()}</updated><link href="${origin}/"/>
${dated.map((i) => `<entry><title>${esc(i.title)}</title><id>urn:demo:${i.id}</id><link href="/articles/${i.id}"/><updated>${i.date.toISOString()}</updated><summary>${esc(i.summary)}</summary></entry>`).join('\n')}
</feed>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="${origin}${feed.path}"><title>${esc(feed.title)}</title><link>${origin}/</link><description>Demo feed</description></channel>
${dated.map((i) => `<item rdf:about="${link(i)}"><title>${esc(i.title)}</title><link>${link(i)}</link><description>${esc(i.summary)}</description><dc:date>${i.date.toISOString()}</dc:date></item>`).join('\n')}
</rdf:RDF>`;
}
