import { z } from 'zod';
import type { SourceKind } from '../source-kind.js';
import { pollFeed } from './feed-source.js';

/** RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed from a URL given in the config. */
export const feedKind = {
  kind: 'feed',
  options: z.object({}).strict(),
  defaultUrl: () => undefined,
  poll: ({ fetcher, source, previous, now, memo, parse }) => pollFeed(fetcher, source, previous, now, memo, parse),
} as const satisfies SourceKind<Record<string, never>>;
