// Every source kind wirewatch can read, by name. The pipeline and the config look kinds up here.
import type { SourceKindName } from '../domain.js';
import { feedKind } from './feed/feed-kind.js';
import type { SourceKind } from './source-kind.js';

/** Kinds are typed by their own options; here they are seen through the common shape. */
export type AnySourceKind = SourceKind<Record<string, unknown>>;

export const SOURCE_KINDS: Partial<Record<SourceKindName, AnySourceKind>> = {
  feed: feedKind,
};
