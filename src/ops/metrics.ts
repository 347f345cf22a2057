// The operator's figures, in Prometheus format (prom-client), on a registry of our own (never the
// global one, so two apps in one process — tests, the demo — do not collide). Labels are bounded:
// source ids come from the config and the chat-added list (capped), adapters and outcomes are
// fixed sets; channel ids are never labels (a workspace can have thousands).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AdapterKind } from '../domain.js';
import type { DeliveryOutcome } from '../bots/chat-adapter.js';
import type { PollReport } from '../pipeline/poll-source.js';
import type { FetchErrorCode } from '../sources/http/error-code.js';

/** Why something failed, as a bounded label value. */
export type FailureReason =
  | FetchErrorCode
  | 'store_failed'
  | 'poll_failed'
  | 'delivery_rate_limited'
  | 'delivery_rejected'
  | 'delivery_unavailable'
  | 'delivery_given_up'
  | 'delivery_loop'
  | 'redis_connection';

/** The `outcome` label of a delivery: accepted, or why not. */
export type DeliveryLabel = 'ok' | 'rate_limited' | 'rejected' | 'unavailable';

/** What the pipeline reports after a poll; `errorCode`, when the pipeline gives it, beats reading the message. */
export type PollObservation = Pick<PollReport, 'sourceId' | 'outcome' | 'fresh' | 'error'> & { errorCode?: FetchErrorCode | 'store_failed' };

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event-loop lag, GC) under `process_`/`nodejs_`; default true. */
  defaultMetrics?: boolean;
  /** Distinct `source` label values kept; later ones are counted as `other` (default 1000). */
  maxSources?: number;
}

/** The figures and the typed calls that feed them. */
export interface Metrics {
  /** The registry `/metrics` serves. */
  readonly registry: Registry;
  /** One finished poll: counts it by outcome, its new items, its failure reason, and its duration in seconds. */
  observePoll(report: PollObservation, seconds: number): void;
  /** One alert enqueued, by the adapter of the channel it goes to. */
  observeAlert(adapter: AdapterKind, count?: number): void;
  /** One delivery attempt (alert, story update or digest) and its duration in seconds. */
  observeDelivery(adapter: AdapterKind, outcome: DeliveryOutcome | DeliveryLabel, seconds: number): void;
  /** A failure outside polls and deliveries (delivery given up, a loop that threw, Redis dropped). */
  observeFailure(reason: FailureReason): void;
  /** Where the outbox depth is read from at each scrape (e.g. `() => store.outboxSize()`). */
  setOutboxDepth(read: () => Promise<number> | number): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Seconds buckets of a poll: fetch + parse + store, up to the 15 s fetch deadline and beyond. */
const POLL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60];
/** Seconds buckets of one platform call. */
const DELIVERY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The failure reason of a poll from its report: the pipeline's `errorCode` when it gives one,
 * else read from the (stable, ours) error message.
 */
export function pollFailureReason(report: PollObservation): FailureReason {
  if (report.errorCode) return report.errorCode;
  const m = report.error ?? '';
  if (/^store unavailable/i.test(m)) return 'store_failed';
  if (/^refused\b/.test(m)) return 'ssrf_blocked';
  if (/is larger than \d+ bytes/.test(m)) return 'too_large';
  if (/timed out|within \d+ ms|stalled for more than/.test(m)) return 'timeout';
  if (/HTTP 429|answered HTTP 429/.test(m)) return 'rate_limited';
  if (/\bHTTP \d{3}\b/.test(m)) return 'http_status';
  if (/^not a feed|not a JSON Feed|parse/i.test(m)) return 'not_a_feed';
  if (/could not fetch|redirect/i.test(m)) return 'fetch_failed';
  return 'poll_failed';
}

const deliveryLabel = (outcome: DeliveryOutcome | DeliveryLabel): DeliveryLabel => (typeof outcome === 'string' ? outcome : outcome.ok ? 'ok' : outcome.reason);

/** Creates the metrics on a private registry. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const maxSources = options.maxSources ?? 1000;
  const seenSources = new Set<string>();
  const sourceLabel = (id: string): string => {
    if (seenSources.has(id)) return id;
    if (seenSources.size >= maxSources) return 'other';
    seenSources.add(id);
    return id;
  };
  let readDepth: (() => Promise<number> | number) | undefined;

  const polls = new Counter({ name: 'wirewatch_polls_total', help: 'Polls of a source, by outcome (seeded, polled, not-modified, unchanged, failed, backoff, disabled).', labelNames: ['source', 'outcome'] as const, registers: [registry] });
  const items = new Counter({ name: 'wirewatch_items_total', help: 'New items found (never seen before), by source.', labelNames: ['source'] as const, registers: [registry] });
  const alerts = new Counter({ name: 'wirewatch_alerts_total', help: 'Alerts enqueued (one per item and channel), by the adapter of the channel.', labelNames: ['channel_adapter'] as const, registers: [registry] });
  const deliveries = new Counter({ name: 'wirewatch_deliveries_total', help: 'Delivery attempts, by adapter and outcome (ok, rate_limited, rejected, unavailable).', labelNames: ['adapter', 'outcome'] as const, registers: [registry] });
  const failures = new Counter({ name: 'wirewatch_failures_total', help: 'Failures by reason (fetch and parse errors of polls, delivery refusals, store trouble).', labelNames: ['reason'] as const, registers: [registry] });
  const pollSeconds = new Histogram({ name: 'wirewatch_poll_seconds', help: 'Duration of one poll (fetch, parse, claim, judge, enqueue), in seconds.', buckets: POLL_BUCKETS, registers: [registry] });
  const deliverySeconds = new Histogram({ name: 'wirewatch_delivery_seconds', help: 'Duration of one platform call delivering an alert, update or digest, in seconds.', labelNames: ['adapter'] as const, buckets: DELIVERY_BUCKETS, registers: [registry] });
  new Gauge({
    name: 'wirewatch_outbox_depth',
    help: 'Deliveries waiting in the outbox (due, leased or scheduled for a retry), read at scrape time.',
    registers: [registry],
    async collect() {
      if (!readDepth) return;
      try {
        this.set(await readDepth());
      } catch {
        // The store is unreachable: /healthz says so; the gauge keeps its last value.
      }
    },
  });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  return {
    registry,
    observePoll(report, seconds) {
      const source = sourceLabel(report.sourceId);
      polls.inc({ source, outcome: report.outcome });
      if (report.fresh > 0 && report.outcome === 'polled') items.inc({ source }, report.fresh);
      if (report.outcome === 'failed') failures.inc({ reason: pollFailureReason(report) });
      // Skipped polls (backoff, disabled) did no work: their duration would drag the histogram down.
      if (report.outcome !== 'backoff' && report.outcome !== 'disabled') pollSeconds.observe(seconds);
    },
    observeAlert(adapter, count = 1) {
      alerts.inc({ channel_adapter: adapter }, count);
    },
    observeDelivery(adapter, outcome, seconds) {
      const label = deliveryLabel(outcome);
      deliveries.inc({ adapter, outcome: label });
      if (label !== 'ok') failures.inc({ reason: `delivery_${label}` });
      deliverySeconds.observe({ adapter }, seconds);
    },
    observeFailure(reason) {
      failures.inc({ reason });
    },
    setOutboxDepth(read) {
      readDepth = read;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
