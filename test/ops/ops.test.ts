// The operator's view: the metrics API feeds a private prom-client registry with bounded labels,
// and the ops server answers /healthz (200/503 JSON) and /metrics (Prometheus text), 404 elsewhere.
import { afterEach, describe, expect, it } from 'vitest';
import { register as globalRegistry } from 'prom-client';
import { createMetrics, pollFailureReason, type Metrics } from '../../src/ops/metrics.js';
import { healthFromProbes, startOpsServer, type OpsServer } from '../../src/ops/http-server.js';
import type { PollReport } from '../../src/pipeline/poll-source.js';

const poll = (patch: Partial<PollReport>): PollReport => ({ sourceId: 'wire', outcome: 'polled', items: 10, fresh: 0, alerts: 0, ...patch });

/** The value of one sample line `name{labels} value` in the exposition text. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (want.every(([k, v]) => got[k] === v) && Object.keys(got).length === want.length) return Number(m[3]);
  }
  return undefined;
}

describe('createMetrics', () => {
  it('counts polls, new items, alerts, deliveries and failures by bounded labels', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.observePoll(poll({ outcome: 'seeded', fresh: 10 }), 0.2);
    m.observePoll(poll({ outcome: 'polled', fresh: 3, alerts: 4 }), 0.3);
    m.observePoll(poll({ outcome: 'failed', error: 'HTTP 404 from https://x.example/feed' }), 0.1);
    m.observePoll(poll({ sourceId: 'other-wire', outcome: 'failed', error: 'refused http://127.0.0.1/: 127.0.0.1 is a loopback address' }), 0.01);
    m.observePoll(poll({ outcome: 'backoff' }), 0);
    m.observeAlert('slack', 3);
    m.observeAlert('discord');
    m.observeDelivery('slack', { ok: true, ref: '1.2' }, 0.05);
    m.observeDelivery('slack', { ok: false, reason: 'rate_limited', retryAfterMs: 1000, message: '429' }, 0.01);
    m.observeDelivery('discord', 'unavailable', 2);
    m.observeFailure('delivery_given_up');
    const { body, contentType } = await m.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(body, 'wirewatch_polls_total', { source: 'wire', outcome: 'seeded' })).toBe(1);
    expect(sample(body, 'wirewatch_polls_total', { source: 'wire', outcome: 'polled' })).toBe(1);
    expect(sample(body, 'wirewatch_polls_total', { source: 'wire', outcome: 'backoff' })).toBe(1);
    // The backlog of a first poll is not news: only a polled source's fresh items count.
    expect(sample(body, 'wirewatch_items_total', { source: 'wire' })).toBe(3);
    expect(sample(body, 'wirewatch_alerts_total', { channel_adapter: 'slack' })).toBe(3);
    expect(sample(body, 'wirewatch_alerts_total', { channel_adapter: 'discord' })).toBe(1);
    expect(sample(body, 'wirewatch_deliveries_total', { adapter: 'slack', outcome: 'ok' })).toBe(1);
    expect(sample(body, 'wirewatch_deliveries_total', { adapter: 'slack', outcome: 'rate_limited' })).toBe(1);
    expect(sample(body, 'wirewatch_deliveries_total', { adapter: 'discord', outcome: 'unavailable' })).toBe(1);
    expect(sample(body, 'wirewatch_failures_total', { reason: 'http_status' })).toBe(1);
    expect(sample(body, 'wirewatch_failures_total', { reason: 'ssrf_blocked' })).toBe(1);
    expect(sample(body, 'wirewatch_failures_total', { reason: 'delivery_rate_limited' })).toBe(1);
    expect(sample(body, 'wirewatch_failures_total', { reason: 'delivery_unavailable' })).toBe(1);
    expect(sample(body, 'wirewatch_failures_total', { reason: 'delivery_given_up' })).toBe(1);
    // Skipped polls (backoff) are not timed.
    expect(sample(body, 'wirewatch_poll_seconds_count')).toBe(4);
    expect(sample(body, 'wirewatch_poll_seconds_bucket', { le: '0.25' })).toBe(3);
    expect(sample(body, 'wirewatch_delivery_seconds_count', { adapter: 'slack' })).toBe(2);
    expect(sample(body, 'wirewatch_delivery_seconds_bucket', { adapter: 'discord', le: '2.5' })).toBe(1);
    // No channel id anywhere in the labels.
    expect(body).not.toMatch(/channel="/);
  });

  it('reads the outbox depth at scrape time and keeps the last value when the store fails', async () => {
    const m = createMetrics({ defaultMetrics: false });
    let depth: number | Error = 7;
    m.setOutboxDepth(async () => {
      if (depth instanceof Error) throw depth;
      return depth;
    });
    expect(sample((await m.render()).body, 'wirewatch_outbox_depth')).toBe(7);
    depth = 42;
    expect(sample((await m.render()).body, 'wirewatch_outbox_depth')).toBe(42);
    depth = new Error('redis down');
    expect(sample((await m.render()).body, 'wirewatch_outbox_depth')).toBe(42);
  });

  it('caps the distinct source label values; the rest are counted as "other"', async () => {
    const m = createMetrics({ defaultMetrics: false, maxSources: 3 });
    for (let i = 0; i < 10; i++) m.observePoll(poll({ sourceId: `s${i}` }), 0.1);
    m.observePoll(poll({ sourceId: 's0' }), 0.1);
    const { body } = await m.render();
    expect(sample(body, 'wirewatch_polls_total', { source: 's0', outcome: 'polled' })).toBe(2);
    expect(sample(body, 'wirewatch_polls_total', { source: 'other', outcome: 'polled' })).toBe(7);
    expect(body).not.toContain('source="s5"');
  });

  it('has process metrics on its own registry, and two instances do not collide or touch the global one', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.observeAlert('console');
    expect((await a.render()).body).toContain('process_cpu_user_seconds_total');
    expect((await a.render()).body).toContain('nodejs_eventloop_lag_seconds');
    expect(sample((await b.render()).body, 'wirewatch_alerts_total', { channel_adapter: 'console' })).toBeUndefined();
    expect(await globalRegistry.metrics()).not.toContain('wirewatch_');
  });

  it.each([
    ['store unavailable: connect ECONNREFUSED', 'store_failed'],
    ['body of https://x.example/f is larger than 5242880 bytes', 'too_large'],
    ['timed out after 15000 ms fetching https://x.example/f', 'timeout'],
    ['no response headers from https://x.example/f within 10000 ms', 'timeout'],
    ['body of https://x.example/f stalled for more than 10000 ms', 'timeout'],
    ['HTTP 429 from https://x.example/f', 'rate_limited'],
    ['HTTP 503 from https://x.example/f', 'http_status'],
    ['not a feed: looks like an HTML page', 'not_a_feed'],
    ['too many redirects (more than 5) fetching https://x.example/f', 'fetch_failed'],
    ['something else entirely', 'poll_failed'],
  ])('reads the failure reason of %j as %s', (error, reason) => {
    expect(pollFailureReason({ sourceId: 's', outcome: 'failed', fresh: 0, error })).toBe(reason);
  });

  it('prefers the error code the pipeline gives', () => {
    expect(pollFailureReason({ sourceId: 's', outcome: 'failed', fresh: 0, error: 'HTTP 404', errorCode: 'ssrf_blocked' })).toBe('ssrf_blocked');
  });
});

describe('startOpsServer', () => {
  let server: OpsServer | undefined;
  let metrics: Metrics;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (health: () => Promise<{ ok: boolean; checks: Record<string, { ok: boolean; detail?: string }> }>, healthTimeoutMs?: number) => {
    metrics = createMetrics({ defaultMetrics: false });
    server = await startOpsServer({ port: 0, host: '127.0.0.1', metrics, health, ...(healthTimeoutMs ? { healthTimeoutMs } : {}) });
    return `http://127.0.0.1:${server.port}`;
  };

  it('answers /healthz 200 with the checks when all pass', async () => {
    const base = await start(healthFromProbes({ store: async () => undefined, slack: async () => 'team T123' }));
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ ok: true, checks: { store: { ok: true }, slack: { ok: true, detail: 'team T123' } } });
  });

  it('answers /healthz 503 when a check fails, with a one-line reason', async () => {
    const base = await start(
      healthFromProbes({
        store: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:6390\n    at stack frame');
        },
        discord: async () => undefined,
      }),
    );
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, checks: { store: { ok: false, detail: 'connect ECONNREFUSED 127.0.0.1:6390' }, discord: { ok: true } } });
  });

  it('answers 503 when a probe hangs past its deadline, and when health() itself hangs or throws', async () => {
    let base = await start(healthFromProbes({ store: () => new Promise(() => undefined) }, 50));
    let res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { checks: Record<string, { detail: string }> }).checks.store?.detail).toBe('no answer within 50 ms');
    await server?.close();
    base = await start(() => new Promise(() => undefined), 50);
    res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    await server?.close();
    base = await start(async () => {
      throw new Error('boom');
    });
    res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, checks: { health: { ok: false, detail: 'boom' } } });
  });

  it('serves /metrics in the Prometheus text format', async () => {
    const base = await start(async () => ({ ok: true, checks: {} }));
    metrics.observeAlert('slack', 2);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE wirewatch_alerts_total counter');
    expect(sample(text, 'wirewatch_alerts_total', { channel_adapter: 'slack' })).toBe(2);
    expect(text).toContain('# TYPE wirewatch_outbox_depth gauge');
    expect(text).toContain('# TYPE wirewatch_poll_seconds histogram');
  });

  it('answers 404 to everything else', async () => {
    const base = await start(async () => ({ ok: true, checks: {} }));
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/metrics/x'],
      ['POST', '/metrics'],
      ['DELETE', '/healthz'],
      ['GET', '/../etc/passwd'],
    ] as const) {
      const res = await fetch(`${base}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      await res.text();
    }
  });
});
