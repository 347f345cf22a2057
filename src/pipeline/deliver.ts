// Drains the outbox: each due delivery goes to its adapter; it leaves the outbox only once the
// platform accepted it. Rate limits are waited out, transient failures retried with backoff.
import type { AdapterKind, ChannelConfig, ChannelKey, PendingDelivery } from '../domain.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ChatAdapter } from '../bots/chat-adapter.js';
import type { Store } from '../store/store.js';

export interface DelivererOptions {
  store: Store;
  adapters: ReadonlyMap<AdapterKind, ChatAdapter>;
  channels: readonly ChannelConfig[];
  logger: Logger;
  now?: () => number;
  /** Attempts before a delivery that keeps failing is given up (and logged as an error). */
  maxAttempts?: number;
}

/** What one drain did. */
export interface DrainReport {
  delivered: number;
  /** Put back in the outbox for later (rate limited or unavailable). */
  retried: number;
  /** Given up: refused for good by the platform, or out of attempts. Each is logged as an error. */
  dropped: number;
}

export interface Deliverer {
  /** Delivers everything due now; concurrent calls share one drain. */
  drain(): Promise<DrainReport>;
}

const BATCH = 50;
/** Backoff after a transient failure: 2 s, 4 s, 8 s … capped at 5 min. */
const backoffMs = (attempts: number): number => Math.min(300_000, 1000 * 2 ** attempts);

export function createDeliverer(options: DelivererOptions): Deliverer {
  const { store, adapters, logger } = options;
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 10;
  const channels = new Map<ChannelKey, ChannelConfig>(options.channels.map((c) => [`${c.adapter}:${c.id}`, c]));
  let running: Promise<DrainReport> | undefined;

  async function giveUp(d: PendingDelivery, why: string, report: DrainReport): Promise<void> {
    logger.error({ alert: d.alert.id, channel: d.alert.channel, title: d.alert.title, attempts: d.attempts, why }, 'alert not delivered: given up');
    await store.ackDelivery(d.alert.id);
    report.dropped += 1;
  }

  async function deliverOne(d: PendingDelivery, report: DrainReport): Promise<void> {
    const channel = channels.get(d.alert.channel);
    const adapter = channel ? adapters.get(channel.adapter) : undefined;
    if (!channel || !adapter) return giveUp(d, `channel ${d.alert.channel} is not configured (or its adapter is not running)`, report);
    let outcome;
    try {
      outcome = await adapter.deliver(channel, d.alert);
    } catch (err) {
      outcome = { ok: false as const, reason: 'unavailable' as const, retryable: true, message: describeError(err) };
    }
    if (outcome.ok) {
      await store.ackDelivery(d.alert.id);
      report.delivered += 1;
      return;
    }
    const attempts = d.attempts + 1;
    if (outcome.reason === 'rejected' && !outcome.retryable) return giveUp({ ...d, attempts }, outcome.message, report);
    if (attempts >= maxAttempts) return giveUp({ ...d, attempts }, `${outcome.message} (after ${attempts} attempts)`, report);
    const waitMs = outcome.reason === 'rate_limited' ? Math.max(1000, outcome.retryAfterMs) : backoffMs(attempts);
    logger.warn({ alert: d.alert.id, channel: d.alert.channel, reason: outcome.reason, waitMs, attempts }, 'delivery postponed');
    await store.rescheduleDelivery({ ...d, attempts, notBefore: now() + waitMs });
    report.retried += 1;
  }

  async function drainOnce(): Promise<DrainReport> {
    const report: DrainReport = { delivered: 0, retried: 0, dropped: 0 };
    const postponed = new Set<ChannelKey>();
    for (let round = 0; round < 1000; round++) {
      const due = (await store.dueDeliveries(now(), BATCH)).filter((d) => !postponed.has(d.alert.channel));
      if (due.length === 0) break;
      for (const d of due) {
        // A channel that just failed is not tried again in this drain: its later alerts keep their order.
        if (postponed.has(d.alert.channel)) continue;
        const before = report.retried;
        await deliverOne(d, report);
        if (report.retried > before) postponed.add(d.alert.channel);
      }
    }
    return report;
  }

  return {
    drain() {
      running ??= drainOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}
