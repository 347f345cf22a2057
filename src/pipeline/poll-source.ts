// One poll of one source: fetch → parse → claim → judge → match channels → enqueue.
import { compareText } from '../compare.js';
import { digest } from '../hash.js';
import { fetchStateWith, type Alert, type ChannelConfig, type ChannelKey, type FetchState, type Judgement, type NewsItem, type PendingDelivery, type RecentAlert, type SourceConfig, type Topic } from '../domain.js';
import { isoTime } from '../iso-time.js';
import { WirewatchError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { itemTokens } from '../relevance/fold.js';
import { analyzeItem } from '../relevance/topics.js';
import { compileChannelRules, type ChannelRule, type CompiledChannelRules } from '../relevance/watchlist.js';
import { extractItemHighlights } from '../relevance/amounts.js';
import { SOURCE_KINDS } from '../sources/registry.js';
import { createStoryTracker, STORY_TTL_MS, type StoryBatch } from './story-tracker.js';
import { afterFailure, afterSuccess } from './source-health.js';
import type { SafeFetcher } from '../sources/http/safe-fetch.js';
import type { ParseBody } from '../sources/feed/parse-job.js';
import type { ParsePool } from '../sources/feed/parse-pool.js';
import { MapMemoSlot } from '../sources/feed/feed-source.js';
import type { FeedMemo, MemoSlot, PollContext } from '../sources/source-kind.js';
import { emptyFetchState, type Store } from '../store/store.js';

export interface PipelineOptions {
  store: Store;
  fetcher: SafeFetcher;
  logger: Logger;
  /** Channels from the config; their chat-added watch terms are read from the store at each poll. */
  channels: readonly ChannelConfig[];
  /** How long an item key is remembered after it was last seen, in ms. */
  seenTtlMs: number;
  now?: () => Date;
  /**
   * Channels known only from chat (watch terms or settings set there, on a platform this process
   * serves); read at every poll, beside the configured ones.
   */
  chatChannels?: () => Promise<ChannelConfig[]>;
  /** Called for every alert enqueued (poll --json prints them). */
  onAlert?: (alert: Alert, channel: ChannelConfig) => void;
  /**
   * How long a fetch state that changed only in `lastFetchAt` (a 304, an unchanged body) may wait
   * in memory before it is written, in ms; such states are written together, in one step, by the
   * first poll after this delay (and by `flush()`). `STATE_FLUSH_MS` by default.
   */
  stateFlushMs?: number;
  /** Receives the time each stage of a poll took, in ms (benchmarks); not called when unset. */
  onStage?: (stage: PollStage, ms: number) => void;
  /** Where feed bodies are parsed (worker threads, see parse-pool.ts); absent: on this thread. */
  parsePool?: ParsePool;
}

/**
 * Stages of a poll as `onStage` reports them: `source` is the kind's fetch + decode + parse;
 * `store` every store call (wall time, waiting included); `judge` topics, watch terms and
 * highlights; `story` placing items in the story index; `format` building the alerts and outbox
 * entries. The synchronous stages (judge, story, format) are CPU time.
 */
export type PollStage = 'source' | 'store' | 'judge' | 'story' | 'format';

/** Default of `PipelineOptions.stateFlushMs`. */
export const STATE_FLUSH_MS = 30_000;

/** What one poll did, for logs, the CLI and tests. */
export interface PollReport {
  sourceId: string;
  /** `backoff`: skipped, the source failed recently; `disabled`: skipped until re-enabled. */
  outcome: 'seeded' | 'polled' | 'not-modified' | 'unchanged' | 'failed' | 'backoff' | 'disabled';
  /** Items in the feed. */
  items: number;
  /** Items never seen before. */
  fresh: number;
  /** Alerts enqueued (one per item and channel). */
  alerts: number;
  error?: string;
}

/** Keys remembered per source at most; a feed rarely carries more than a few hundred items. */
const MIN_KEYS_PER_SOURCE = 2000;

const channelKeyOf = (c: ChannelConfig): ChannelKey => `${c.adapter}:${c.id}`;

/** The alert id: the same item never gets two ids for one channel. */
export function alertId(sourceId: string, itemKey: string, channel: ChannelKey): string {
  return sha256Hex(`${sourceId}\u0000${itemKey}\u0000${channel}`).slice(0, 32);
}

const sha256Hex = (text: string): string => digest('sha256', text, 'hex');

/** The judgement of an item whose source decided its topics (a market move is crypto by construction). */
function fixedJudgement(topics: readonly Topic[], label: string): Judgement {
  const topicTerms: Record<Topic, string[]> = { 'ai-chips': [], crypto: [] };
  for (const t of topics) topicTerms[t] = [label];
  return { topics: [...topics], topicTerms };
}

export interface Pipeline {
  /** Polls one source once. Never throws: a failure is reported and remembered in the fetch state. */
  pollSource(source: SourceConfig): Promise<PollReport>;
  /**
   * Judges every item now in a source's feed against the channels, as if all were new, and
   * writes nothing: what `poll --dry-run` shows.
   */
  previewSource(source: SourceConfig): Promise<{ ok: true; alerts: Array<{ alert: Alert; channel: ChannelConfig }> } | { ok: false; error: string }>;
  /** Writes the fetch states still waiting in memory (see `PipelineOptions.stateFlushMs`); call it before stopping. */
  flush(): Promise<void>;
}

/** A 32-bit FNV-1a hash of a string: what the pipeline remembers of each key it claimed. */
function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The hashes of a source's keys, sorted: 4 bytes a key in one typed array. A Set of numbers cost
 * ~50 bytes a key at 10,000 sources (its table, and a heap number for each hash above 2^31).
 */
function keyHashes(keys: readonly string[]): Uint32Array {
  const hashes = new Uint32Array(keys.length);
  for (let i = 0; i < keys.length; i++) hashes[i] = keyHash(keys[i] ?? '');
  return hashes.sort();
}

/** Whether the sorted `hashes` hold the hash of `key` (binary search). */
function hasKeyHash(hashes: Uint32Array, key: string): boolean {
  const h = keyHash(key);
  let lo = 0;
  let hi = hashes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = hashes[mid] ?? 0;
    if (v === h) return true;
    if (v < h) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** True when two states differ at most in `lastFetchAt` (what a 304 or an unchanged body changes). */
function onlyFetchTimeChanged(a: FetchState, b: FetchState): boolean {
  return (
    a.health === b.health &&
    a.nextAttemptAt === b.nextAttemptAt &&
    a.etag === b.etag &&
    a.lastModified === b.lastModified &&
    a.bodyHash === b.bodyHash &&
    a.failures === b.failures &&
    a.lastError === b.lastError &&
    a.lastNewAt === b.lastNewAt
  );
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { store, fetcher, logger } = options;
  const now = options.now ?? (() => new Date());
  let channelsByKey = new Map<ChannelKey, ChannelConfig>(options.channels.map((c) => [channelKeyOf(c), c]));

  /** Configured channels, then chat-only ones not in the config. */
  async function allChannels(): Promise<ChannelConfig[]> {
    const extra = options.chatChannels ? await options.chatChannels() : [];
    const configured = new Set(options.channels.map(channelKeyOf));
    return [...options.channels, ...extra.filter((c) => !configured.has(channelKeyOf(c)))];
  }
  let compiled: { signature: string; rules: CompiledChannelRules } | undefined;

  /** One compiled matcher for every channel's terms, rebuilt only when a watchlist changed. */
  async function channelRules(): Promise<CompiledChannelRules> {
    const channels = await allChannels();
    channelsByKey = new Map(channels.map((c) => [channelKeyOf(c), c]));
    const chatTerms = await Promise.all(channels.map((c) => store.getWatchTerms(channelKeyOf(c))));
    const rules = new Map<ChannelKey, ChannelRule>();
    channels.forEach((channel, i) => {
      rules.set(channelKeyOf(channel), { topics: channel.topics, terms: [...channel.watch, ...(chatTerms[i] ?? [])] });
    });
    const signature = JSON.stringify([...rules]);
    if (compiled?.signature !== signature) {
      const next = compileChannelRules(rules);
      for (const bad of next.invalid) logger.warn({ channel: bad.channel, term: bad.term, errors: bad.errors }, 'watch term ignored');
      compiled = { signature, rules: next };
    }
    return compiled.rules;
  }

  function buildAlerts(source: SourceConfig, sourceName: string, items: readonly NewsItem[], rules: CompiledChannelRules, stories?: StoryBatch) {
    const alerts: Array<{ alert: Alert; channel: ChannelConfig }> = [];
    const recent: RecentAlert[] = [];
    const alertedAt = isoTime(now());
    const clock = stageClock();
    for (const item of items) {
      clock.lap();
      // Tokenized once: watch terms and the story signature read the judge's tokens.
      const analyzed = item.fixedTopics ? undefined : analyzeItem(item);
      const judgement = analyzed?.judgement ?? fixedJudgement(item.fixedTopics ?? [], `${source.kind} source`);
      const decisions = analyzed ? rules.decideAllParts(analyzed.title, analyzed.summary, judgement) : rules.decideAll(itemTokens(item), judgement);
      clock.lap('judge');
      const channelsForItem: ChannelKey[] = [];
      for (const [key, decision] of decisions) {
        const channel = channelsByKey.get(key);
        if (!decision.alert || !channel) continue;
        channelsForItem.push(key);
        alerts.push({
          channel,
          alert: {
            id: alertId(source.id, item.key, key),
            channel: key,
            title: item.title,
            url: item.url,
            source: item.publisher ? `${item.publisher} via ${sourceName}` : sourceName,
            sourceId: source.id,
            published: item.published,
            topics: judgement.topics,
            matched: decision.matched,
            summary: item.summary,
          },
        });
      }
      if (channelsForItem.length > 0) {
        const outlet = item.publisher ?? sourceName;
        clock.lap('format');
        const figures = extractItemHighlights(item.title, item.summary, analyzed);
        const highlights = [...new Set(figures.combined.map((h) => h.text))].slice(0, 6);
        clock.lap('judge');
        const prework = analyzed ? { analyzed, highlights: figures } : undefined;
        const story = stories?.assign({ title: item.title, summary: item.summary, published: item.published, key: `${source.id}:${item.key}`, source: outlet, prework });
        clock.lap('story');
        for (const entry of alerts.slice(alerts.length - channelsForItem.length)) {
          if (highlights.length > 0) entry.alert.highlights = highlights;
          if (story) {
            entry.alert.storyId = story.storyId;
            entry.alert.breaking = story.breaking;
            if (!story.isNew) {
              entry.alert.reportedBy = story.outlets;
              if (story.outletCount > story.outlets.length) entry.alert.reportedByCount = story.outletCount;
            }
          }
        }
        // One literal, the story's fields added after it in a fixed order: spreads of temporaries
        // made an object (and a hidden class) per combination.
        const remembered: RecentAlert = {
          title: item.title,
          url: item.url,
          source: item.publisher ? `${item.publisher} via ${sourceName}` : sourceName,
          sourceId: source.id,
          published: item.published,
          topics: judgement.topics,
          alertedAt,
          channels: channelsForItem,
        };
        if (story) {
          remembered.storyId = story.storyId;
          remembered.reportedBy = story.outlets.length > 0 ? story.outlets : [outlet];
          if (story.outletCount > story.outlets.length) remembered.reportedByCount = story.outletCount;
        }
        recent.push(remembered);
      }
      clock.lap('format');
    }
    clock.report();
    return { alerts, recent };
  }

  /** Kind-level poll through the registry. */
  const pool = options.parsePool;
  const parse: ParseBody | undefined = pool ? (job) => pool.parse(job) : undefined;

  function pollKind(source: SourceConfig, previous: FetchState, memo?: MemoSlot<FeedMemo>) {
    const kind = SOURCE_KINDS[source.kind];
    if (!kind) throw new WirewatchError('config_invalid', `source kind ${source.kind} is not available`);
    const context: PollContext = { fetcher, source, previous, now };
    if (memo) context.memo = memo;
    if (parse) context.parse = parse;
    return kind.poll(context, source.options);
  }

  /** Tells every channel that could receive the source, once, that it was disabled and how to bring it back. */
  async function noticeDisabled(source: SourceConfig, state: FetchState): Promise<void> {
    const at = now();
    // A flapping source (disabled, re-enabled, disabled …) tells its channels at most once a day.
    const noticeKey = `notice:disabled:${source.id}`;
    if (await store.getMessage(noticeKey)) return;
    await store.recordMessage(noticeKey, at.toISOString(), 86_400_000);
    const notices: PendingDelivery[] = [];
    for (const channel of await allChannels()) {
      const key = channelKeyOf(channel);
      const receives = channel.topics.length > 0 || channel.watch.length > 0 || (await store.getWatchTerms(key)).length > 0;
      if (!receives) continue;
      notices.push({
        attempts: 0,
        notBefore: at.getTime(),
        alert: {
          id: alertId(source.id, `disabled:${state.lastFetchAt ?? at.toISOString()}`, key),
          channel: key,
          title: `wirewatch: source "${source.name ?? source.id}" is disabled`,
          url: undefined,
          source: 'wirewatch',
          sourceId: source.id,
          published: at.toISOString(),
          topics: [],
          matched: [],
          summary: `After ${state.failures} failed polls in a row (last error: ${state.lastError ?? 'unknown'}) it is no longer polled. Fix its URL in the config, then run: wirewatch source enable ${source.id}`,
        },
      });
    }
    if (notices.length > 0) await store.enqueueDeliveries(notices);
  }

  // Per-process caches of the hot path (docs/decisions.md, "Performance"): the fetch state of
  // healthy sources, the keys each source had at this process's last claim, the compiled channel
  // rules with the store's rules version they were read at, and the story index.
  const states = new Map<string, FetchState>();
  /** States changed only in lastFetchAt, not written yet. */
  const pending = new Map<string, FetchState>();
  let flushedAt = now().getTime();
  // Hashes, not the keys: a key sliced from a feed body would keep the whole body alive. A
  // collision only makes a guess wrong (the store's answer is the truth), never an alert.
  const lastKeys = new Map<string, Uint32Array>();
  // What each source's last parse left (item text hashes and keys), so a changed feed parses only
  // its new items; dropped when a poll fails.
  const parseMemos = new Map<string, FeedMemo>();
  const memoSlot = (sourceId: string): MemoSlot<FeedMemo> => new MapMemoSlot(parseMemos, sourceId);
  let rulesCache: { version: number; rules: CompiledChannelRules } | undefined;
  const storyTracker = createStoryTracker(store);

  /** Measures consecutive laps of a poll for `onStage`; costs nothing when no one listens. */
  function stageClock() {
    const onStage = options.onStage;
    const spent = new Map<PollStage, number>();
    let last = onStage ? performance.now() : 0;
    return {
      lap(stage?: PollStage) {
        if (!onStage) return;
        const t = performance.now();
        if (stage) spent.set(stage, (spent.get(stage) ?? 0) + (t - last));
        last = t;
      },
      report() {
        if (onStage) for (const [stage, ms] of spent) onStage(stage, ms);
      },
    };
  }

  /**
   * Runs one store call, timed as the `store` stage. Its errors become `store_failed`: a store
   * outage is not the source's fault, so it must not count as a source failure (no backoff, no
   * disabling; see the catch of pollSource).
   */
  async function timedStore<T>(call: () => Promise<T>): Promise<T> {
    const t0 = options.onStage ? performance.now() : 0;
    try {
      return await call();
    } catch (err) {
      throw err instanceof WirewatchError ? err : new WirewatchError('store_failed', `store unavailable: ${describeError(err)}`, { cause: err });
    } finally {
      options.onStage?.('store', performance.now() - t0);
    }
  }

  /** The channel rules and the rules version they match; read from the store only when unknown or stale. */
  async function currentRules(): Promise<{ version: number; rules: CompiledChannelRules }> {
    if (rulesCache) return rulesCache;
    // The version first: a change that lands while the terms are read makes the next claim report
    // a newer version, and the rules are read again.
    const version = await store.rulesVersion();
    const rules = await channelRules();
    rulesCache = { version, rules };
    return rulesCache;
  }

  /**
   * The store's state of a source, remembered. pollSource uses the remembered one while the source
   * is healthy; a failing or disabled source is read again each time (`source enable` may have
   * reset it). A store error is already `store_failed` (timedStore).
   */
  async function storedState(sourceId: string): Promise<FetchState> {
    const state = await timedStore(() => store.getFetchState(sourceId));
    states.set(sourceId, state);
    return state;
  }

  /**
   * Remembers a state; writes it now unless only its fetch time changed (then at the next flush).
   * Answers the write, or undefined when there is none: a 304 poll awaits nothing here.
   */
  function saveState(sourceId: string, prior: FetchState, state: FetchState): Promise<void> | undefined {
    states.set(sourceId, state);
    if (prior.health === 'ok' && state.health === 'ok' && onlyFetchTimeChanged(prior, state)) {
      pending.set(sourceId, state);
      return undefined;
    }
    pending.delete(sourceId);
    return timedStore(() => store.setFetchState(sourceId, state));
  }

  async function flush(due = true): Promise<void> {
    if (!due) return;
    flushedAt = now().getTime();
    if (pending.size === 0) return;
    const batch = [...pending];
    pending.clear();
    try {
      await timedStore(() => store.setFetchStates(batch));
    } catch (err) {
      // Only fetch times were waiting: keep them for the next flush unless a newer state replaced them.
      for (const [id, state] of batch) if (!pending.has(id)) pending.set(id, state);
      logger.warn({ err: describeError(err), states: batch.length }, 'cannot write fetch times; will retry');
    }
  }

  /**
   * Polls left that call `flush` even when nothing is due (it then returns at once). V8 optimises
   * `pollSource` with this function inlined; a call it never saw made the first flush that came
   * due, 30 s into the process, throw the compiled `pollSource` away (~45 ms to compile it again,
   * and slower polls meanwhile). A function gathers feedback only after its first few calls, so
   * the call is made over the first polls, not once.
   */
  let warmFlushes = 64;

  /** The flush that is due, or undefined when none is (most polls). */
  function dueFlush(): Promise<void> | undefined {
    const due = pending.size > 0 && now().getTime() - flushedAt >= (options.stateFlushMs ?? STATE_FLUSH_MS);
    if (!due && warmFlushes === 0) return undefined;
    if (warmFlushes > 0) warmFlushes -= 1;
    return flush(due);
  }

  /** Oldest first, so a channel reads a burst in the order it happened; undated items keep feed order. */
  function oldestFirst(items: readonly NewsItem[]): NewsItem[] {
    const ordered = [...items].reverse();
    ordered.sort((a, b) => (a.published && b.published ? compareText(a.published, b.published) : 0));
    return ordered;
  }

  /** Outbox entries for alerts: due at once, in order (the outbox hands out the oldest notBefore first). */
  function deliveriesOf(alerts: ReadonlyArray<{ alert: Alert }>): PendingDelivery[] {
    const base = now().getTime();
    return alerts.map(({ alert }, i) => ({ alert, attempts: 0, notBefore: base - alerts.length + i }));
  }

  async function pollSource(source: SourceConfig): Promise<PollReport> {
    // The child logger is made on first use: most polls (a 304) log nothing at the usual levels.
    let child: Logger | undefined;
    const log = () => (child ??= logger.child({ source: source.id }));
    const report = (outcome: PollReport['outcome'], extra: Partial<PollReport> = {}): PollReport => ({ sourceId: source.id, outcome, items: 0, fresh: 0, alerts: 0, ...extra });
    // On failure the state read before the fetch is kept (plus the failure): recording the new
    // validators or body hash of a poll whose items were not claimed would skip them for good.
    let prior: FetchState | undefined;
    try {
      // A healthy source's state is in memory: no await (a 304 poll is mostly such hops).
      const cached = states.get(source.id);
      prior = cached !== undefined && cached.health === 'ok' ? cached : await storedState(source.id);
      if (prior.health === 'disabled') return report('disabled', { error: prior.lastError ?? 'disabled' });
      if (prior.nextAttemptAt && prior.nextAttemptAt > isoTime(now())) return report('backoff', { error: prior.lastError ?? 'backing off' });
      const t0 = options.onStage ? performance.now() : 0;
      const result = await pollKind(source, prior, memoSlot(source.id));
      options.onStage?.('source', performance.now() - t0);
      let state: FetchState = afterSuccess(result.state);
      if (prior.health !== 'ok') log().info({ after: prior.failures }, 'source recovered');
      if (result.kind === 'parsed' && result.warnings && result.warnings.length > 0) log().warn({ warnings: result.warnings }, 'poll partly failed');
      if (result.kind !== 'parsed') {
        const write = saveState(source.id, prior, state);
        if (write) await write;
        if (logger.isLevelEnabled('debug')) log().debug({ outcome: result.kind }, 'nothing new');
        return report(result.kind);
      }
      // A partial poll parsed only the items whose text changed; `keys` are all the feed's.
      let { feed, partial } = result;
      let items = feed.items;
      const keys = partial?.keys ?? items.map((i) => i.key);
      const sourceName = source.name ?? feed.title ?? source.id;
      const claimOptions = { ttlMs: options.seenTtlMs, maxKeys: Math.max(MIN_KEYS_PER_SOURCE, keys.length * 4) };
      const nowMs = now().getTime();

      // The items this process did not see at its last poll of the source are almost always the
      // new ones (the store keeps the keys of a source's latest claim however long ago it was):
      // judge them first, so that the claim and every write are one store call. A source this
      // process never claimed expects nothing and judges after.
      const recentKeys = lastKeys.get(source.id);
      if (partial && recentKeys) {
        // An item left unparsed (same text as at the last parse) that the last claim did not
        // include (that claim failed) is new too: judge it with the others, from the whole feed.
        const parsedKeys = new Set(items.map((i) => i.key));
        if (partial.keys.some((k) => !parsedKeys.has(k) && !hasKeyHash(recentKeys, k))) {
          feed = await partial.complete();
          items = feed.items;
          partial = undefined;
        }
      }
      const guessed = recentKeys ? items.filter((i) => !hasKeyHash(recentKeys, i.key)) : [];
      let guess: { alerts: Array<{ alert: Alert; channel: ChannelConfig }>; recent: RecentAlert[]; stories: StoryBatch; version: number } | undefined;
      if (guessed.length > 0) {
        const rules = await timedStore(() => currentRules());
        const stories = await timedStore(() => storyTracker.open(nowMs));
        guess = { ...buildAlerts(source, sourceName, oldestFirst(guessed), rules.rules, stories), stories, version: rules.version };
        state = fetchStateWith(state, { lastNewAt: isoTime(now()) });
      }
      const claim = await timedStore(() =>
        store.claimAndCommit(source.id, {
          keys,
          options: claimOptions,
          expected: guessed.map((i) => i.key),
          rulesVersion: guess?.version ?? 0,
          state,
          deliveries: guess ? deliveriesOf(guess.alerts) : [],
          recent: guess?.recent ?? [],
          stories: guess?.stories.touched() ?? [],
          storyTtlMs: STORY_TTL_MS,
        }),
      );
      lastKeys.set(source.id, keyHashes(keys));
      if (rulesCache && rulesCache.version !== claim.rulesVersion) rulesCache = undefined;
      if (claim.committed) {
        states.set(source.id, state);
        pending.delete(source.id);
        if (claim.firstPoll) {
          log().info({ items: keys.length }, 'first poll: backlog remembered, nothing alerted');
          return report('seeded', { items: keys.length, fresh: claim.fresh.length });
        }
        for (const { alert, channel } of guess?.alerts ?? []) options.onAlert?.(alert, channel);
        log().info({ items: keys.length, fresh: guessed.length, alerts: guess?.alerts.length ?? 0 }, 'polled');
        return report('polled', { items: keys.length, fresh: guessed.length, alerts: guess?.alerts.length ?? 0 });
      }

      // The guess was wrong (first poll of this process, another process claimed first, the rules
      // changed): only the claim was done. Judge what is really new and write it member by member.
      if (guess) storyTracker.invalidate();
      state = afterSuccess(result.state);
      if (claim.firstPoll) {
        states.set(source.id, state);
        pending.delete(source.id);
        await timedStore(() => store.setFetchState(source.id, state));
        log().info({ items: keys.length }, 'first poll: backlog remembered, nothing alerted');
        return report('seeded', { items: keys.length, fresh: claim.fresh.length });
      }
      const freshKeys = new Set(claim.fresh);
      // A fresh key whose item was not parsed (the store forgot it: ttl, eviction, another
      // process's memory): judge from the whole feed.
      if (partial && claim.fresh.length > 0) {
        const parsedKeys = new Set(items.map((i) => i.key));
        if (claim.fresh.some((k) => !parsedKeys.has(k))) items = (await partial.complete()).items;
      }
      const freshItems = oldestFirst(items.filter((i) => freshKeys.has(i.key)));
      if (freshItems.length > 0) {
        const rules = await timedStore(() => currentRules());
        const stories = await timedStore(() => storyTracker.open(nowMs));
        const { alerts, recent } = buildAlerts(source, sourceName, freshItems, rules.rules, stories);
        await timedStore(() => stories.commit());
        if (alerts.length > 0) {
          await timedStore(() => store.enqueueDeliveries(deliveriesOf(alerts)));
          await timedStore(() => store.addRecentAlerts(recent));
          for (const { alert, channel } of alerts) options.onAlert?.(alert, channel);
        }
        state = fetchStateWith(state, { lastNewAt: isoTime(now()) });
        states.set(source.id, state);
        pending.delete(source.id);
        await timedStore(() => store.setFetchState(source.id, state));
        log().info({ items: keys.length, fresh: freshItems.length, alerts: alerts.length }, 'polled');
        return report('polled', { items: keys.length, fresh: freshItems.length, alerts: alerts.length });
      }
      states.set(source.id, state);
      pending.delete(source.id);
      await timedStore(() => store.setFetchState(source.id, state));
      log().info({ items: keys.length, fresh: 0, alerts: 0 }, 'polled');
      return report('polled', { items: keys.length, fresh: 0, alerts: 0 });
    } catch (err) {
      const message = describeError(err);
      const storeDown = err instanceof WirewatchError && err.code === 'store_failed';
      // Without the state we read, writing one would erase the remembered validators: leave it.
      if (!prior || storeDown) {
        log().error({ err: message }, 'poll failed');
        return report('failed', { error: message });
      }
      const { state, disabled } = afterFailure(prior, err, now());
      // The next poll reads the state from the store again (a failing source is never cached).
      states.delete(source.id);
      parseMemos.delete(source.id);
      pending.delete(source.id);
      log()[disabled ? 'error' : 'warn']({ err: message, failures: state.failures, nextAttemptAt: state.nextAttemptAt, health: state.health }, disabled ? 'source disabled' : 'poll failed');
      try {
        await store.setFetchState(source.id, state);
        if (disabled) await noticeDisabled(source, state);
      } catch (storeErr) {
        log().error({ err: describeError(storeErr) }, 'cannot record the failure');
      }
      return report('failed', { error: message });
    } finally {
      const flushing = dueFlush();
      if (flushing) await flushing;
    }
  }

  async function previewSource(source: SourceConfig) {
    try {
      const result = await pollKind(source, emptyFetchState());
      if (result.kind !== 'parsed') return { ok: true as const, alerts: [] };
      const sourceName = source.name ?? result.feed.title ?? source.id;
      const { alerts } = buildAlerts(source, sourceName, result.feed.items, await channelRules());
      return { ok: true as const, alerts };
    } catch (err) {
      return { ok: false as const, error: describeError(err) };
    }
  }

  return { pollSource, previewSource, flush: () => flush() };
}
