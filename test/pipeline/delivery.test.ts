// The deliverer's channel policies on the real console adapter and the in-process store: pause,
// quiet hours, digests, hourly cap, breaking-only, story updates, leases after a crash.
import { describe, expect, it } from 'vitest';
import type { AdapterKind, Alert, ChannelConfig } from '../../src/domain.js';
import { createLogger } from '../../src/log.js';
import { createConsoleAdapter } from '../../src/bots/console-adapter.js';
import type { ChatAdapter } from '../../src/bots/chat-adapter.js';
import { createDeliverer, recordKeys } from '../../src/pipeline/deliver.js';
import { inQuietHours } from '../../src/pipeline/channel-policy.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { defaultChannelSettings } from '../../src/store/store.js';

const logger = createLogger({ level: 'silent' });
const channel: ChannelConfig = { id: 'desk', adapter: 'console', webhookUrl: undefined, topics: ['crypto'], watch: [] };
const T0 = Date.parse('2026-11-29T12:00:00Z');

function alert(n: number, extra: Partial<Alert> = {}): Alert {
  return {
    id: `a${n}`,
    channel: 'console:desk',
    title: `Bitcoin story ${n}`,
    url: `https://example.org/${n}`,
    source: 'Wire',
    sourceId: 'wire',
    published: new Date(T0).toISOString(),
    topics: ['crypto'],
    matched: ['Bitcoin'],
    summary: '',
    ...extra,
  };
}

function setup() {
  let clock = T0;
  const store = createMemoryStore({ now: () => clock });
  const printed: string[] = [];
  const adapters = new Map<AdapterKind, ChatAdapter>([['console', createConsoleAdapter({ write: (t) => printed.push(t) })]]);
  const deliverer = createDeliverer({ store, adapters, channels: [channel], logger, now: () => clock });
  const enqueue = (...alerts: Alert[]) => store.enqueueDeliveries(alerts.map((a, i) => ({ alert: a, attempts: 0, notBefore: clock - alerts.length + i })));
  return { store, printed, deliverer, enqueue, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe('deliverer policies', () => {
  it('sends at once by default and records what each alert became', async () => {
    const { store, printed, deliverer, enqueue } = setup();
    await enqueue(alert(1), alert(2));
    const r = await deliverer.drain();
    expect(r).toMatchObject({ delivered: 2, held: 0, dropped: 0 });
    expect(printed.filter((p) => p.startsWith('▶'))).toHaveLength(2);
    expect(await store.getMessage(recordKeys.sent('a1'))).toBe('a1');
    expect(await store.outboxSize()).toBe(0);
  });

  it('pause holds everything; resume delivers it as one digest, nothing dropped', async () => {
    const { store, printed, deliverer, enqueue } = setup();
    await store.setChannelSettings('console:desk', { ...defaultChannelSettings(), paused: true });
    await enqueue(alert(1), alert(2), alert(3));
    expect(await deliverer.drain()).toMatchObject({ delivered: 0, held: 3 });
    expect(await deliverer.flushDigests()).toBe(0);
    expect(printed).toEqual([]);
    await store.setChannelSettings('console:desk', defaultChannelSettings());
    expect(await deliverer.flushDigests()).toBe(1);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/digest/i);
    for (const n of [1, 2, 3]) expect(printed[0]).toContain(`Bitcoin story ${n}`);
    expect(await store.heldCount('console:desk')).toBe(0);
  });

  it('quiet hours hold alerts and deliver them as one digest afterwards (time zone aware, across midnight)', async () => {
    const { store, printed, deliverer, enqueue, advance } = setup();
    // 12:00 UTC is 21:00 in Tokyo; quiet 20:00-07:00 Tokyo time.
    await store.setChannelSettings('console:desk', { ...defaultChannelSettings(), quiet: { start: '20:00', end: '07:00', tz: 'Asia/Tokyo' } });
    await enqueue(alert(1));
    expect(await deliverer.drain()).toMatchObject({ held: 1 });
    advance(5 * 3_600_000); // 02:00 Tokyo: still quiet
    expect(await deliverer.flushDigests()).toBe(0);
    advance(6 * 3_600_000); // 08:00 Tokyo
    expect(await deliverer.flushDigests()).toBe(1);
    expect(printed.join('\n')).toContain('Bitcoin story 1');
    expect(inQuietHours({ start: '22:00', end: '07:00', tz: 'UTC' }, Date.parse('2026-11-29T23:30:00Z'))).toBe(true);
    expect(inQuietHours({ start: '22:00', end: '07:00', tz: 'UTC' }, Date.parse('2026-11-29T07:00:00Z'))).toBe(false);
  });

  it('reads quiet hours in each channel\'s own time zone, one zone after another', () => {
    // 23:30 UTC: 00:30 in Paris (winter), 08:30 in Tokyo, 18:30 in New York.
    const at = Date.parse('2026-11-29T23:30:00Z');
    const night = { start: '22:00', end: '07:00' };
    for (let round = 0; round < 2; round++) {
      expect(inQuietHours({ ...night, tz: 'Europe/Paris' }, at)).toBe(true);
      expect(inQuietHours({ ...night, tz: 'Asia/Tokyo' }, at)).toBe(false);
      expect(inQuietHours({ ...night, tz: 'America/New_York' }, at)).toBe(false);
      expect(inQuietHours({ ...night, tz: 'America/New_York' }, at + 4 * 3_600_000)).toBe(true);
      expect(inQuietHours({ ...night, tz: 'Not/AZone' }, at)).toBe(false);
    }
  });

  it('digest mode collects alerts into one message per interval', async () => {
    const { store, printed, deliverer, enqueue, advance } = setup();
    await store.setChannelSettings('console:desk', { ...defaultChannelSettings(), digest: '15m' });
    await enqueue(alert(1), alert(2));
    expect(await deliverer.drain()).toMatchObject({ held: 2, delivered: 0 });
    expect(await deliverer.flushDigests()).toBe(0); // the interval starts now
    advance(10 * 60_000);
    await enqueue(alert(3));
    await deliverer.drain();
    expect(await deliverer.flushDigests()).toBe(0);
    advance(6 * 60_000);
    expect(await deliverer.flushDigests()).toBe(1);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('Bitcoin story 3');
  });

  it('a cap sends the overflow into the next digest once the hour allows', async () => {
    const { store, printed, deliverer, enqueue, advance } = setup();
    await store.setChannelSettings('console:desk', { ...defaultChannelSettings(), capPerHour: 2 });
    await enqueue(alert(1), alert(2), alert(3), alert(4));
    const r = await deliverer.drain();
    expect(r).toMatchObject({ delivered: 2, held: 2 });
    expect(await deliverer.flushDigests()).toBe(0);
    advance(3_600_001);
    expect(await deliverer.flushDigests()).toBe(1);
    const digest = printed[printed.length - 1] ?? '';
    expect(digest).toContain('Bitcoin story 3');
    expect(digest).toContain('Bitcoin story 4');
  });

  it('a breaking-only channel skips stories that are not breaking', async () => {
    const { store, printed, deliverer, enqueue } = setup();
    await store.setChannelSettings('console:desk', { ...defaultChannelSettings(), breakingOnly: true });
    await enqueue(alert(1), alert(2, { breaking: true }));
    expect(await deliverer.drain()).toMatchObject({ delivered: 1, skipped: 1 });
    expect(printed.join('\n')).toContain('Bitcoin story 2');
    expect(printed.join('\n')).not.toContain('Bitcoin story 1');
  });

  it('a later report of a story updates the first message instead of posting a new one', async () => {
    const { printed, deliverer, enqueue } = setup();
    await enqueue(alert(1, { storyId: 's1', source: 'Reuters' }));
    await deliverer.drain();
    await enqueue(alert(2, { storyId: 's1', source: 'Les Echos', reportedBy: ['Reuters', 'Les Echos'] }));
    expect(await deliverer.drain()).toMatchObject({ delivered: 0, updated: 1 });
    expect(printed.filter((p) => p.startsWith('▶'))).toHaveLength(1);
    expect(printed[1]).toMatch(/^↳ #desk also reported by/);
  });

  it('labels follow the channel language', async () => {
    const { store, printed, deliverer, enqueue } = setup();
    await store.setChannelSettings('console:desk', { ...defaultChannelSettings(), paused: true, lang: 'fr' });
    await enqueue(alert(1));
    await deliverer.drain();
    await store.setChannelSettings('console:desk', { ...defaultChannelSettings(), lang: 'fr' });
    await deliverer.flushDigests();
    expect(printed[0]).toMatch(/résumé/i);
  });

  it('a worker that dies after leasing does not lose the alert, and a redelivery after a send is not posted twice', async () => {
    const { store, printed, deliverer, enqueue, advance } = setup();
    await enqueue(alert(1), alert(2));
    // A first worker leases both and dies before delivering.
    expect(await store.leaseDeliveries(T0, 10, 60_000)).toHaveLength(2);
    expect(await deliverer.drain()).toMatchObject({ delivered: 0 });
    advance(60_001);
    // Alert 2 had been posted by the dead worker just before it died (record written, no ack).
    await store.recordMessage(recordKeys.sent('a2'), 'ref-2', 86_400_000);
    expect(await deliverer.drain()).toMatchObject({ delivered: 2 });
    expect(printed.filter((p) => p.startsWith('▶'))).toHaveLength(1);
    expect(printed[0]).toContain('Bitcoin story 1');
    expect(await store.outboxSize()).toBe(0);
  });

  it('a store outage right after the platform accepted a message does not post it twice', async () => {
    let clock = T0;
    const real = createMemoryStore({ now: () => clock });
    let failRecords = 1;
    // The store answers everything but the first delivery record, as if Redis went away at that instant.
    const store = { ...real, recordMessage: (key: string, ref: string, ttl: number) => (key.startsWith('sent:') && failRecords-- > 0 ? Promise.reject(new Error('connection lost')) : real.recordMessage(key, ref, ttl)) };
    const printed: string[] = [];
    const adapters = new Map<AdapterKind, ChatAdapter>([['console', createConsoleAdapter({ write: (t) => printed.push(t) })]]);
    const deliverer = createDeliverer({ store, adapters, channels: [channel], logger, now: () => clock });
    await store.enqueueDeliveries([{ alert: alert(1), attempts: 0, notBefore: clock - 1 }]);
    expect(await deliverer.drain()).toMatchObject({ delivered: 0, retried: 1 });
    expect(await store.outboxSize()).toBe(1);
    clock += 60_001; // the lease runs out and the entry comes back
    expect(await deliverer.drain()).toMatchObject({ delivered: 1 });
    expect(printed.filter((p) => p.startsWith('▶'))).toHaveLength(1);
    expect(await store.getMessage(recordKeys.sent('a1'))).toBe('a1');
    expect(await store.outboxSize()).toBe(0);
  });

  it('stop() ends a drain at its next step: the rest of the leased batch is due again at once, for the next process', async () => {
    const { store, printed, enqueue } = setup();
    const console = createConsoleAdapter({ write: (t) => printed.push(t) });
    // The shutdown comes while the first alert is being sent.
    const stopping: ChatAdapter = { ...console, deliver: async (c, a) => {
      const sent = await console.deliver(c, a);
      deliverer.stop();
      return sent;
    } };
    const deliverer = createDeliverer({ store, adapters: new Map([['console', stopping]]), channels: [channel], logger, now: () => T0 });
    await enqueue(alert(1), alert(2), alert(3));
    expect(await deliverer.drain()).toMatchObject({ delivered: 1 });
    expect(await deliverer.drain()).toMatchObject({ delivered: 0 });
    // Not leased any more: another process takes the two others now, not after the lease.
    const next = createDeliverer({ store, adapters: new Map([['console', console]]), channels: [channel], logger, now: () => T0 });
    expect(await next.drain()).toMatchObject({ delivered: 2 });
    expect(printed.filter((p) => p.startsWith('▶'))).toHaveLength(3);
    expect(await store.outboxSize()).toBe(0);
  });

  it('stop() wakes a drain that waits for a paced entry', async () => {
    const { store, printed, enqueue } = setup();
    // A minute between two messages to one channel: the drain would wait that long for the second.
    const deliverer = createDeliverer({ store, adapters: new Map([['console', createConsoleAdapter({ write: (t) => printed.push(t) })]]), channels: [channel], logger, now: () => T0, spacingMs: { console: 60_000 } });
    await enqueue(alert(1), alert(2));
    const draining = deliverer.drain();
    for (let i = 0; i < 100 && printed.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    deliverer.stop();
    expect(await draining).toMatchObject({ delivered: 1, paced: 1 });
    expect(await store.outboxSize()).toBe(1);
  });
});
