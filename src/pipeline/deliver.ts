// Drains the outbox. Each due delivery is leased (so a second worker does not take it and a dead
// worker's entries come back), checked against the channel's settings (pause, quiet hours, digest,
// cap, breaking-only), paced per channel, and sent; it leaves the outbox only once the platform
// accepted it or it was held for a digest. A later report of a story edits the first message.
import type { AdapterKind, Alert, ChannelConfig, ChannelKey, ChannelSettings, PendingDelivery } from '../domain.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ChatAdapter, DeliveryOutcome } from '../bots/chat-adapter.js';
import type { Store } from '../store/store.js';
import { DIGEST_MS, holdReason, inQuietHours } from './channel-policy.js';

export interface DelivererOptions {
  /** Called after every platform call (deliver, story update, digest) with how long it took, in seconds (metrics). */
  onDelivery?: (adapter: AdapterKind, outcome: DeliveryOutcome, seconds: number) => void;
  store: Store;
  adapters: ReadonlyMap<AdapterKind, ChatAdapter>;
  /** Channels from the config; channels known only from chat (watch terms, settings) are resolved on the fly. */
  channels: readonly ChannelConfig[];
  logger: Logger;
  now?: () => number;
  /** Attempts before a delivery that keeps failing is given up (and logged as an error). */
  maxAttempts?: number;
  /** Least time between two messages to one channel, in ms, per adapter (platform limits). */
  spacingMs?: Partial<Record<AdapterKind, number>>;
  /** How long a leased entry is hidden from other workers, in ms. */
  leaseMs?: number;
  /** Longest a drain keeps waiting for paced entries, in ms. */
  maxDrainMs?: number;
}

/** What one drain did. */
export interface DrainReport {
  delivered: number;
  /** Later reports of a story that edited the first message instead of posting. */
  updated: number;
  /** Held for the channel's next digest (pause, quiet hours, digest mode, cap, broken route). */
  held: number;
  /** Put back in the outbox for later (rate limited, unavailable). */
  retried: number;
  /** Waited for its turn: the channel had a message less than the platform's spacing ago. */
  paced: number;
  /** Given up: out of attempts, or no such channel. Each is logged as an error. */
  dropped: number;
  /** Not for this channel (breaking-only channel, non-breaking story). */
  skipped: number;
}

export interface Deliverer {
  /** Delivers everything due now; concurrent calls share one drain. */
  drain(): Promise<DrainReport>;
  /** Sends the digests that are due (interval reached, quiet hours over, resumed, cap window free). */
  flushDigests(): Promise<number>;
  /**
   * Ends the drain in progress at its next step, for a shutdown: the send in flight finishes, the
   * rest of its leased batch goes back to the outbox at once (for the next process, no attempt
   * counted), and it no longer waits for paced entries. Later drains do nothing.
   */
  stop(): void;
}

/**
 * Platform pacing: Slack allows about one message per second per channel, Discord five per five
 * seconds per channel; webhooks are paced like their platform.
 */
export const DEFAULT_SPACING_MS = {
  console: 0,
  slack: 1100,
  'slack-webhook': 1100,
  discord: 1000,
  'discord-webhook': 1000,
} as const satisfies Record<AdapterKind, number>;

/**
 * Least time between two requests to one platform in all, in ms: Discord allows 50 requests a
 * second per bot. Short, so it is waited inline rather than rescheduled.
 */
export const GLOBAL_SPACING_MS = {
  console: 0,
  slack: 0,
  'slack-webhook': 0,
  discord: 20,
  'discord-webhook': 20,
} as const satisfies Record<AdapterKind, number>;

const BATCH = 50;
const HOUR = 3_600_000;
/** How long a delivery record is kept: longer than any redelivery, as long as a story lives. */
const RECORD_TTL_MS = 3 * 86_400_000;
/** How long a channel whose platform refused it for good is left alone before trying again. */
const ROUTE_PAUSE_MS = HOUR;
/** Backoff after a transient failure: 2 s, 4 s, 8 s … capped at 5 min. */
const backoffMs = (attempts: number): number => Math.min(300_000, 1000 * 2 ** attempts);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Store keys of the delivery records (kept with `recordMessage`). */
export const recordKeys = {
  /** The message an alert became (its id → platform ref): a redelivery after a crash is recognised. */
  sent: (alertId: string) => `sent:${alertId}`,
  /** The first message of a story in a channel: later reports edit it. */
  story: (channel: ChannelKey, storyId: string) => `story:${channel}:${storyId}`,
  /** Why a channel's route is paused after a permanent refusal. */
  route: (channel: ChannelKey) => `route:${channel}`,
  /** When the channel's last digest went out (epoch ms as text). */
  digestAt: (channel: ChannelKey) => `digest-at:${channel}`,
};

export function createDeliverer(options: DelivererOptions): Deliverer {
  const { store, adapters, logger } = options;
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 10;
  const spacing = { ...DEFAULT_SPACING_MS, ...options.spacingMs };
  const leaseMs = options.leaseMs ?? 60_000;
  const configured = new Map<ChannelKey, ChannelConfig>(options.channels.map((c) => [`${c.adapter}:${c.id}`, c]));
  const lastSent = new Map<ChannelKey, number>();
  const lastPlatformCall = new Map<AdapterKind, number>();
  /**
   * Messages the platform accepted whose record or ack has not reached the store yet (alert id →
   * platform ref). If the store fails at that moment, the lease brings the entry back and this
   * process records it instead of posting it again. Bounded; only a crash of the process loses it.
   */
  const accepted = new Map<string, string>();
  const ACCEPTED_MAX = 10_000;

  function rememberAccepted(alertId: string, ref: string): void {
    if (accepted.size >= ACCEPTED_MAX) accepted.delete(accepted.keys().next().value ?? '');
    accepted.set(alertId, ref);
  }

  /**
   * Writes the delivery records and the hourly count together, then acks once they are in; forgets
   * the in-memory copy once the store has it. An entry recorded and not acked (the store failed in
   * between) is recognised when its lease ends, never posted twice.
   */
  async function commitAccepted(d: PendingDelivery, ref: string, update: boolean): Promise<void> {
    const writes: Array<Promise<unknown>> = [store.countSent(d.alert.channel, now(), HOUR, true)];
    if (ref) {
      writes.push(store.recordMessage(recordKeys.sent(d.alert.id), ref, RECORD_TTL_MS));
      if (d.alert.storyId && !update) writes.push(store.recordMessage(recordKeys.story(d.alert.channel, d.alert.storyId), ref, RECORD_TTL_MS));
    }
    await Promise.all(writes);
    await store.ackDelivery(d.alert.id);
    accepted.delete(d.alert.id);
  }

  /** Waits until the platform's global spacing allows another request (at most a few ms). */
  async function platformTurn(adapter: AdapterKind): Promise<void> {
    const wait = (lastPlatformCall.get(adapter) ?? 0) + GLOBAL_SPACING_MS[adapter] - now();
    if (wait > 0) await sleep(wait);
  }
  let running: Promise<DrainReport> | undefined;
  let stopped = false;
  /** Wakes a drain that waits for paced entries when `stop()` is called. */
  let wake: (() => void) | undefined;

  /** A channel from the config, or one known from chat on a platform this process serves. */
  function resolveChannel(key: ChannelKey): ChannelConfig | undefined {
    const known = configured.get(key);
    if (known) return known;
    const at = key.indexOf(':');
    const adapter = key.slice(0, at) as AdapterKind;
    if ((adapter === 'slack' || adapter === 'discord') && adapters.has(adapter)) {
      return { id: key.slice(at + 1), adapter, webhookUrl: undefined, topics: [], watch: [] };
    }
    return undefined;
  }

  async function giveUp(d: PendingDelivery, why: string, report: DrainReport): Promise<void> {
    logger.error({ alert: d.alert.id, channel: d.alert.channel, title: d.alert.title, attempts: d.attempts, why }, 'alert not delivered: given up');
    await store.ackDelivery(d.alert.id);
    report.dropped += 1;
  }

  async function hold(d: PendingDelivery, reason: string, report: DrainReport): Promise<void> {
    await store.holdForDigest(d.alert.channel, [d.alert]);
    await store.ackDelivery(d.alert.id);
    logger.debug({ alert: d.alert.id, channel: d.alert.channel, reason }, 'held for the digest');
    report.held += 1;
  }

  /** Posts the alert, or updates the story's message when `storyRef` names one. */
  async function send(channel: ChannelConfig, adapter: ChatAdapter, d: PendingDelivery, storyRef: string | undefined): Promise<{ outcome: DeliveryOutcome; update: boolean }> {
    await platformTurn(channel.adapter);
    const started = performance.now();
    let outcome: DeliveryOutcome;
    try {
      outcome = storyRef ? await adapter.updateStory(channel, storyRef, d.alert) : await adapter.deliver(channel, d.alert);
    } catch (err) {
      outcome = { ok: false, reason: 'unavailable', retryable: true, message: describeError(err) };
    }
    lastPlatformCall.set(channel.adapter, now());
    options.onDelivery?.(channel.adapter, outcome, (performance.now() - started) / 1000);
    return { outcome, update: Boolean(storyRef) };
  }

  async function deliverOne(pending: PendingDelivery, settings: ChannelSettings, report: DrainReport, paced: Map<string, number>): Promise<void> {
    paced.delete(pending.alert.id);
    // Labels in the channel's language; the story text itself is never translated.
    const d: PendingDelivery = { ...pending, alert: { ...pending.alert, lang: settings.lang } };
    const key = d.alert.channel;
    const channel = resolveChannel(key);
    const adapter = channel ? adapters.get(channel.adapter) : undefined;
    if (!channel || !adapter) return giveUp(d, `channel ${key} is not configured (or its adapter is not running)`, report);
    const acceptedRef = accepted.get(d.alert.id);
    if (acceptedRef !== undefined) {
      // Accepted by the platform while the store was unreachable: record it now instead of posting again.
      await commitAccepted(d, acceptedRef, false);
      report.delivered += 1;
      return;
    }
    // Everything the decision reads, asked at once (one wait for the store instead of four).
    const t = now();
    const [sentRef, sentLastHour, routeProblem, storyRef] = await Promise.all([
      store.getMessage(recordKeys.sent(d.alert.id)),
      settings.capPerHour !== undefined ? store.countSent(key, t, HOUR, false) : 0,
      store.getMessage(recordKeys.route(key)),
      d.alert.storyId ? store.getMessage(recordKeys.story(key, d.alert.storyId)) : undefined,
    ]);
    if (sentRef) {
      // Sent before a crash that came before the ack: recognised, not posted twice.
      await store.ackDelivery(d.alert.id);
      report.delivered += 1;
      return;
    }
    if (settings.breakingOnly && !d.alert.breaking && d.alert.topics.length > 0) {
      await store.ackDelivery(d.alert.id);
      report.skipped += 1;
      return;
    }
    const reason = holdReason(settings, t, sentLastHour);
    if (reason) return hold(d, reason, report);
    if (routeProblem) return hold(d, `route paused: ${routeProblem}`, report);

    const next = (lastSent.get(key) ?? 0) + spacing[channel.adapter];
    if (next > t) {
      await store.rescheduleDelivery({ ...d, notBefore: next });
      paced.set(d.alert.id, next);
      report.paced += 1;
      return;
    }
    lastSent.set(key, t);
    const { outcome, update } = await send(channel, adapter, d, storyRef);
    // Spacing counts from the platform's answer: the next message then arrives at least the
    // spacing after this one did, however slow this one was on the way.
    lastSent.set(key, now());
    if (outcome.ok) {
      rememberAccepted(d.alert.id, outcome.ref ?? '');
      await commitAccepted(d, outcome.ref ?? '', update);
      if (update) report.updated += 1;
      else report.delivered += 1;
      return;
    }
    const attempts = d.attempts + 1;
    if (outcome.reason === 'rejected' && !outcome.retryable) {
      // Channel gone, bot removed, permission missing: this route waits, the others go on.
      logger.error({ channel: key, why: outcome.message }, 'channel refused the bot: its alerts are held for an hour, then retried');
      await store.recordMessage(recordKeys.route(key), outcome.message.slice(0, 200), ROUTE_PAUSE_MS);
      return hold(d, `route paused: ${outcome.message}`, report);
    }
    if (attempts >= maxAttempts) return giveUp({ ...d, attempts }, `${outcome.message} (after ${attempts} attempts)`, report);
    const waitMs = outcome.reason === 'rate_limited' ? Math.max(1000, outcome.retryAfterMs) : backoffMs(attempts);
    logger.warn({ alert: d.alert.id, channel: key, reason: outcome.reason, waitMs, attempts }, 'delivery postponed');
    await store.rescheduleDelivery({ ...d, attempts, notBefore: now() + waitMs });
    lastSent.set(key, now() + waitMs - spacing[channel.adapter]);
    report.retried += 1;
  }

  /** Leased entries not tried, back in the outbox and due now: a stopping process leaves them to the next. */
  async function putBack(entries: readonly PendingDelivery[]): Promise<void> {
    for (const d of entries) {
      try {
        await store.rescheduleDelivery({ ...d, notBefore: now() });
      } catch (err) {
        // The lease brings it back when it ends.
        logger.warn({ alert: d.alert.id, err: describeError(err) }, 'could not put a delivery back; its lease will');
      }
    }
  }

  async function drainOnce(): Promise<DrainReport> {
    const report: DrainReport = { delivered: 0, updated: 0, held: 0, retried: 0, paced: 0, dropped: 0, skipped: 0 };
    const started = now();
    const settingsCache = new Map<ChannelKey, ChannelSettings>();
    const settingsOf = async (key: ChannelKey) => {
      let s = settingsCache.get(key);
      if (!s) {
        s = await store.getChannelSettings(key);
        settingsCache.set(key, s);
      }
      return s;
    };
    // Entries put back only to wait for their channel's turn: the drain waits for them.
    const paced = new Map<string, number>();
    for (let round = 0; round < 10_000; round++) {
      const leasedAt = now();
      if (stopped) break;
      const due = await store.leaseDeliveries(leasedAt, BATCH, leaseMs);
      for (const [i, d] of due.entries()) {
        if (stopped) {
          await putBack(due.slice(i));
          break;
        }
        try {
          await deliverOne(d, await settingsOf(d.alert.channel), report, paced);
        } catch (err) {
          // The store failed mid-delivery: the lease brings the entry back later.
          logger.error({ alert: d.alert.id, err: describeError(err) }, 'delivery step failed; it will be retried');
          report.retried += 1;
        }
      }
      if (due.length > 0) continue;
      // Nothing due now: wait for paced entries that come due within a moment.
      // One that came due but was not leased here was taken by another worker: stop waiting for it.
      for (const [id, at] of paced) if (at <= leasedAt) paced.delete(id);
      const soonest = paced.size > 0 ? Math.min(...paced.values()) : undefined;
      if (stopped || soonest === undefined || now() - started > (options.maxDrainMs ?? 30_000)) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, soonest - now()));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
    return report;
  }

  async function flushDigests(): Promise<number> {
    const keys = new Set<ChannelKey>([...configured.keys(), ...(await store.knownChannels())]);
    let sent = 0;
    for (const key of keys) {
      const held = await store.heldCount(key);
      if (held === 0) continue;
      const channel = resolveChannel(key);
      const adapter = channel ? adapters.get(channel.adapter) : undefined;
      if (!channel || !adapter) continue;
      const settings = await store.getChannelSettings(key);
      const t = now();
      if (settings.paused || inQuietHours(settings.quiet, t)) continue;
      if (await store.getMessage(recordKeys.route(key))) continue;
      if (settings.digest !== 'off') {
        const last = Number((await store.getMessage(recordKeys.digestAt(key))) ?? Number.NaN);
        if (Number.isNaN(last)) {
          await store.recordMessage(recordKeys.digestAt(key), String(t), 7 * 86_400_000);
          continue;
        }
        if (t - last < DIGEST_MS[settings.digest]) continue;
      } else if (settings.capPerHour !== undefined && (await store.countSent(key, t, HOUR, false)) >= settings.capPerHour) {
        continue;
      }
      const alerts = await store.takeDigest(key);
      if (alerts.length === 0) continue;
      const note = held > alerts.length ? `${held - alerts.length} older alerts were dropped: a digest holds at most ${alerts.length}` : undefined;
      let outcome: DeliveryOutcome;
      await platformTurn(channel.adapter);
      const started = performance.now();
      try {
        outcome = await adapter.deliverDigest(channel, alerts, settings.lang, note);
      } catch (err) {
        outcome = { ok: false, reason: 'unavailable', retryable: true, message: describeError(err) };
      }
      lastPlatformCall.set(channel.adapter, now());
      options.onDelivery?.(channel.adapter, outcome, (performance.now() - started) / 1000);
      if (!outcome.ok) {
        // Nothing is dropped: the alerts go back for the next attempt.
        await store.holdForDigest(key, alerts);
        logger.warn({ channel: key, alerts: alerts.length, why: outcome.message }, 'digest not delivered; kept for the next one');
        continue;
      }
      await store.recordMessage(recordKeys.digestAt(key), String(t), 7 * 86_400_000);
      await store.countSent(key, t, HOUR, true);
      sent += 1;
      logger.info({ channel: key, alerts: alerts.length }, 'digest delivered');
    }
    return sent;
  }

  return {
    drain() {
      running ??= drainOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
    flushDigests,
    stop() {
      stopped = true;
      wake?.();
    },
  };
}

/** For tests and logs: a compact line about an alert. */
export function describeAlert(alert: Alert): string {
  return `${alert.channel} ← ${alert.title}`;
}
