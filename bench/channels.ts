// The channels every bench tool shares (run.ts, profile.ts, hot-paths.ts): both topics; ten watch
// terms; crypto plus ten terms (one exclusion each).
import type { ChannelConfig } from '../src/domain.js';

export const CHANNELS: ChannelConfig[] = [
  { id: 'CMARKETS', adapter: 'slack', webhookUrl: undefined, topics: ['ai-chips', 'crypto'], watch: [] },
  { id: 'CDESK', adapter: 'slack', webhookUrl: undefined, topics: [], watch: ['nvidia', 'coreweave', 'tsmc', '"data center"', 'hbm4', 'cerebras', 'groq', 'micron', 'openai', '-gaming'] },
  { id: 'CCRYPTO', adapter: 'slack', webhookUrl: undefined, topics: ['crypto'], watch: ['coinbase', 'binance', 'kraken', 'blackrock', 'etf', 'stablecoins', 'tether', 'circle', 'microstrategy', '-dogecoin'] },
];
