// The polls of "fetch and parse alone", the bench's floor (bench/README.md): the pipeline's fetcher,
// its sha256 of the body and its parse threads (`pollFeed`), and nothing else. Shared by the bench
// (run.ts) and bench/profile.ts (FETCH_PARSE_ONLY=1), so the two measure the same floor.
import type { FetchState, SourceConfig } from '../src/domain.js';
import { MapMemoSlot, pollFeed, type FeedMemo, type FeedPoll } from '../src/sources/feed/feed-source.js';
import type { ParseBody } from '../src/sources/feed/parse-job.js';
import type { SafeFetcher } from '../src/sources/http/safe-fetch.js';
import { emptyFetchState } from '../src/store/store.js';

/**
 * A poller of feeds. `conditional`: each source's validators and parse memo are kept between
 * polls as the pipeline keeps them (an unchanged feed is a 304, a changed one parses its new items
 * only); without, every poll is a full answer parsed whole.
 */
export function createFloorPoller(fetcher: SafeFetcher, parse: ParseBody, conditional: boolean): (source: SourceConfig) => Promise<FeedPoll> {
  const states = new Map<string, FetchState>();
  const memos = new Map<string, FeedMemo>();
  return async (source) => {
    if (!conditional) return pollFeed(fetcher, source, emptyFetchState(), () => new Date(), undefined, parse);
    const poll = await pollFeed(fetcher, source, states.get(source.id) ?? emptyFetchState(), () => new Date(), new MapMemoSlot(memos, source.id), parse);
    states.set(source.id, poll.state);
    return poll;
  };
}
