import type { ChannelConfig, SourceConfig, SourceKindName } from '../domain.js';
import { SOURCE_KINDS } from './registry.js';

/** A catalog entry, built through its kind's own schema so it carries the same defaults as a config entry. */
function entry(id: string, name: string, kind: SourceKindName, every: string, options: Record<string, unknown>, url?: string): SourceConfig {
  const k = SOURCE_KINDS[kind];
  const parsed = k.options.parse(options);
  const resolved = url ?? k.defaultUrl(parsed);
  if (!resolved) throw new Error(`catalog entry ${id} has no URL`);
  return { id, kind, name, url: resolved, options: parsed, every, cron: undefined, enabled: true };
}

const feed = (id: string, name: string, url: string, every = '5m'): SourceConfig => entry(id, name, 'feed', every, {}, url);

/**
 * The built-in catalog used when no config file exists: AI-chip and crypto newsrooms, trade press,
 * crypto outlets, news searches in English and French, SEC filings and the BTC/ETH/XRP market-move
 * rule. Every entry can be disabled in a config file by id (`catalog: { disable: [id, …] }`).
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
  entry('gnews-ai-chips-en', 'Google News: AI chips', 'google-news', '10m', { query: 'Nvidia OR TSMC OR H200 OR Blackwell OR CoreWeave OR "AI chips"', lang: 'en' }),
  entry('gnews-ai-chips-fr', 'Google Actualités : puces IA', 'google-news', '10m', { query: 'Nvidia OR TSMC OR "puces IA" OR "centre de données" OpenAI', lang: 'fr' }),
  entry('gnews-crypto-en', 'Google News: crypto markets', 'google-news', '10m', { query: 'Bitcoin OR XRP OR Ether OR stablecoin OR "crypto ETF"', lang: 'en' }),
  entry('gnews-crypto-fr', 'Google Actualités : cryptomonnaies', 'google-news', '10m', { query: 'Bitcoin OR XRP OR Ethereum OR cryptomonnaie', lang: 'fr' }),
  entry('hn-ai-chips', 'Hacker News: Nvidia', 'hackernews', '15m', { query: 'nvidia', minPoints: 20 }),
  entry('gdelt-ai-chips', 'GDELT: AI chips', 'gdelt', '15m', { query: '(nvidia OR tsmc OR coreweave OR "ai chips")', timespan: '1h' }),
  entry('sec-nvidia', 'SEC filings: NVIDIA', 'sec-edgar', '30m', { cik: '1045810', company: 'NVIDIA' }),
  entry('sec-coreweave', 'SEC filings: CoreWeave', 'sec-edgar', '30m', { cik: '1769628', company: 'CoreWeave' }),
  entry('market-moves', 'Market moves: BTC, ETH, XRP', 'market', '1m', { symbols: ['BTC', 'ETH', 'XRP'] }),
];

/** Catalog kinds that need a declared contact (WIREWATCH_CONTACT) to be polled at all. */
export const NEEDS_CONTACT: readonly SourceKindName[] = ['sec-edgar'];

/** Without a config file, every alert about either topic is printed on the console. */
export const DEFAULT_CHANNELS: readonly ChannelConfig[] = [
  { id: 'console', adapter: 'console', webhookUrl: undefined, topics: ['ai-chips', 'crypto'], watch: [] },
];
