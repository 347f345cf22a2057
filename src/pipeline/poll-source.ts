// One poll of one source: fetch → parse → claim → judge → match channels → enqueue.
import { createHash } from 'node:crypto';
import type { Alert, ChannelConfig, ChannelKey, FetchState, Judgement, NewsItem, PendingDelivery, RecentAlert, SourceConfig, Topic } from '../domain.js';
import { WirewatchError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { itemTokens } from '../relevance/fold.js';
import { classify } from '../relevance/topics.js';
import { compileChannelRules, type ChannelRule, type CompiledChannelRules } from '../relevance/watchlist.js';
import { extractHighlights } from '../relevance/amounts.js';
import { SOURCE_KINDS } from '../sources/registry.js';
import { openStoryBatch, type StoryBatch } from './story-tracker.js';
import { afterFailure, afterSuccess } from './source-health.js';
import type { SafeFetcher } from '../sources/http/safe-fetch.js';
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
}

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
  return createHash('sha256').update(`${sourceId}\u0000${itemKey}\u0000${channel}`).digest('hex').slice(0, 32);
}

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
    const alertedAt = now().toISOString();
    for (const item of items) {
      const judgement = item.fixedTopics ? fixedJudgement(item.fixedTopics, `${source.kind} source`) : classify(item);
      const decisions = rules.decideAll(itemTokens(item), judgement);
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
        const highlights = [...new Set(extractHighlights(`${item.title} ${item.summary}`).map((h) => h.text))].slice(0, 6);
        const story = stories?.assign({ title: item.title, summary: item.summary, published: item.published, key: `${source.id}:${item.key}`, source: outlet });
        for (const entry of alerts.slice(alerts.length - channelsForItem.length)) {
          if (highlights.length > 0) entry.alert.highlights = highlights;
          if (story) {
            entry.alert.storyId = story.storyId;
            entry.alert.breaking = story.breaking;
            if (!story.isNew) entry.alert.reportedBy = story.outlets;
          }
        }
        recent.push({
          ...(story ? { storyId: story.storyId, reportedBy: story.outlets.length > 0 ? story.outlets : [outlet] } : {}),
          title: item.title,
          url: item.url,
          source: item.publisher ? `${item.publisher} via ${sourceName}` : sourceName,
          sourceId: source.id,
          published: item.published,
          topics: judgement.topics,
          alertedAt,
          channels: channelsForItem,
        });
      }
    }
    return { alerts, recent };
  }

  /** Kind-level poll through the registry. */
  function pollKind(source: SourceConfig, previous: FetchState) {
    const kind = SOURCE_KINDS[source.kind];
    if (!kind) throw new WirewatchError('config_invalid', `source kind ${source.kind} is not available`);
    return kind.poll({ fetcher, source, previous, now }, source.options);
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

  async function pollSource(source: SourceConfig): Promise<PollReport> {
    const log = logger.child({ source: source.id });
    const report = (outcome: PollReport['outcome'], extra: Partial<PollReport> = {}): PollReport => ({ sourceId: source.id, outcome, items: 0, fresh: 0, alerts: 0, ...extra });
    // On failure the state read before the fetch is kept (plus the failure): recording the new
    // validators or body hash of a poll whose items were not claimed would skip them for good.
    let prior: FetchState | undefined;
    try {
      prior = await store.getFetchState(source.id).catch((err: unknown) => {
        throw new WirewatchError('store_failed', `store unavailable: ${describeError(err)}`, { cause: err });
      });
      if (prior.health === 'disabled') return report('disabled', { error: prior.lastError ?? 'disabled' });
      if (prior.nextAttemptAt && prior.nextAttemptAt > now().toISOString()) return report('backoff', { error: prior.lastError ?? 'backing off' });
      const result = await pollKind(source, prior);
      let state: FetchState = afterSuccess(result.state);
      if (prior.health !== 'ok') log.info({ after: prior.failures }, 'source recovered');
      if (result.kind !== 'parsed') {
        await store.setFetchState(source.id, state);
        log.debug({ outcome: result.kind }, 'nothing new');
        return report(result.kind);
      }
      const items = result.feed.items;
      const sourceName = source.name ?? result.feed.title ?? source.id;
      const claim = await store.claim(
        source.id,
        items.map((i) => i.key),
        { ttlMs: options.seenTtlMs, maxKeys: Math.max(MIN_KEYS_PER_SOURCE, items.length * 4) },
      );
      if (claim.firstPoll) {
        await store.setFetchState(source.id, state);
        log.info({ items: items.length }, 'first poll: backlog remembered, nothing alerted');
        return report('seeded', { items: items.length, fresh: claim.fresh.length });
      }
      const freshKeys = new Set(claim.fresh);
      // Oldest first, so a channel reads a burst in the order it happened; undated items keep feed order.
      const freshItems = items.filter((i) => freshKeys.has(i.key)).reverse();
      freshItems.sort((a, b) => (a.published && b.published ? a.published.localeCompare(b.published) : 0));
      const stories = await openStoryBatch(store, now().getTime());
      const { alerts, recent } = buildAlerts(source, sourceName, freshItems, await channelRules(), stories);
      await stories.commit();
      if (alerts.length > 0) {
        const base = now().getTime();
        // Due at once, in order: the outbox hands out the oldest notBefore first.
        const deliveries: PendingDelivery[] = alerts.map(({ alert }, i) => ({ alert, attempts: 0, notBefore: base - alerts.length + i }));
        await store.enqueueDeliveries(deliveries);
        await store.addRecentAlerts(recent);
        for (const { alert, channel } of alerts) options.onAlert?.(alert, channel);
      }
      if (freshItems.length > 0) state = { ...state, lastNewAt: now().toISOString() };
      await store.setFetchState(source.id, state);
      log.info({ items: items.length, fresh: freshItems.length, alerts: alerts.length }, 'polled');
      return report('polled', { items: items.length, fresh: freshItems.length, alerts: alerts.length });
    } catch (err) {
      const message = describeError(err);
      const storeDown = err instanceof WirewatchError && err.code === 'store_failed';
      // Without the state we read, writing one would erase the remembered validators: leave it.
      if (!prior || storeDown) {
        log.error({ err: message }, 'poll failed');
        return report('failed', { error: message });
      }
      const { state, disabled } = afterFailure(prior, err, now());
      log[disabled ? 'error' : 'warn']({ err: message, failures: state.failures, nextAttemptAt: state.nextAttemptAt, health: state.health }, disabled ? 'source disabled' : 'poll failed');
      try {
        await store.setFetchState(source.id, state);
        if (disabled) await noticeDisabled(source, state);
      } catch (storeErr) {
        log.error({ err: describeError(storeErr) }, 'cannot record the failure');
      }
      return report('failed', { error: message });
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

  return { pollSource, previewSource };
}
