import type { ChannelConfig, SourceConfig } from '../domain.js';

const feed = (id: string, name: string, url: string, every = '5m'): SourceConfig => ({
  id,
  kind: 'feed',
  options: {},
  name,
  url,
  every,
  cron: undefined,
  enabled: true,
});

const googleNews = (id: string, name: string, query: string, lang: 'en' | 'fr'): SourceConfig => {
  const region = lang === 'fr' ? { hl: 'fr', gl: 'FR', ceid: 'FR:fr' } : { hl: 'en-US', gl: 'US', ceid: 'US:en' };
  const params = new URLSearchParams({ q: query, ...region });
  return feed(id, name, `https://news.google.com/rss/search?${params.toString()}`, '10m');
};

/**
 * The built-in catalog used when no config file exists: AI-chip and crypto newsrooms, trade press
 * and searches, in English and French. Every entry can be disabled in a config file by id.
 */
export const DEFAULT_SOURCES: readonly SourceConfig[] = [
  feed('nvidia-newsroom', 'NVIDIA Newsroom', 'https://nvidianews.nvidia.com/releases.xml', '15m'),
  feed('nvidia-blog', 'NVIDIA Blog', 'https://blogs.nvidia.com/feed/', '15m'),
  feed('servethehome', 'ServeTheHome', 'https://www.servethehome.com/feed/'),
  feed('tomshardware', "Tom's Hardware", 'https://www.tomshardware.com/feeds/all'),
  feed('the-register-datacentre', 'The Register: data centre', 'https://www.theregister.com/data_centre/headlines.atom'),
  feed('lemondeinformatique', 'Le Monde Informatique', 'https://www.lemondeinformatique.fr/flux-rss/thematique/toutes-les-actualites/rss.xml'),
  feed('coindesk', 'CoinDesk', 'https://www.coindesk.com/arc/outboundfeeds/rss/'),
  feed('cointelegraph', 'Cointelegraph', 'https://cointelegraph.com/rss'),
  feed('decrypt', 'Decrypt', 'https://decrypt.co/feed'),
  feed('journal-du-coin', 'Journal du Coin', 'https://journalducoin.com/feed/'),
  feed('cryptoast', 'Cryptoast', 'https://cryptoast.fr/feed/'),
  googleNews('gnews-ai-chips-en', 'Google News: AI chips', 'Nvidia OR TSMC OR H200 OR Blackwell OR CoreWeave OR "AI chips"', 'en'),
  googleNews('gnews-ai-chips-fr', 'Google Actualités : puces IA', 'Nvidia OR TSMC OR "puces IA" OR "centre de données" OpenAI', 'fr'),
  googleNews('gnews-crypto-en', 'Google News: crypto markets', 'Bitcoin OR XRP OR Ether OR stablecoin OR "crypto ETF"', 'en'),
  googleNews('gnews-crypto-fr', 'Google Actualités : cryptomonnaies', 'Bitcoin OR XRP OR Ethereum OR cryptomonnaie', 'fr'),
];

/** Without a config file, every alert about either topic is printed on the console. */
export const DEFAULT_CHANNELS: readonly ChannelConfig[] = [
  { id: 'console', adapter: 'console', webhookUrl: undefined, topics: ['ai-chips', 'crypto'], watch: [] },
];
