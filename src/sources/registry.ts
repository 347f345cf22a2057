// Every source kind wirewatch can read, by name. The pipeline and the config look kinds up here.
import type { SourceKindName } from '../domain.js';
import { feedKind } from './feed/feed-kind.js';
import { gdeltKind } from './gdelt/gdelt-kind.js';
import { googleNewsKind } from './google-news/google-news-kind.js';
import { hackerNewsKind } from './hackernews/hackernews-kind.js';
import { marketKind } from './market/market-kind.js';
import { secEdgarKind } from './sec-edgar/sec-edgar-kind.js';
import type { SourceKind } from './source-kind.js';

/** Kinds are typed by their own options; here they are seen through the common shape. */
export type AnySourceKind = SourceKind<Record<string, unknown>>;

export const SOURCE_KINDS: Readonly<Record<SourceKindName, AnySourceKind>> = {
  feed: feedKind,
  hackernews: hackerNewsKind,
  'google-news': googleNewsKind,
  gdelt: gdeltKind,
  'sec-edgar': secEdgarKind,
  market: marketKind,
};
