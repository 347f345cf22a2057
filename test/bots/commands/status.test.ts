import { describe, expect, it } from 'vitest';
import type { Alert, FetchState } from '../../../src/domain.js';
import { emptyFetchState } from '../../../src/store/store.js';
import { configSource, NOW, setup, shown } from './helpers.js';

const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const alert = (id: string, channel = 'slack:C1'): Alert => ({
  id,
  channel,
  title: `story ${id}`,
  url: undefined,
  source: 'Wire',
  sourceId: 'wire',
  published: undefined,
  topics: [],
  matched: [],
  summary: '',
});

describe('/status', () => {
  it('shows every source, most problematic first, with health, last fetch, last new item and failures; and the backlogs', async () => {
    const { store, run } = setup({ sources: [configSource('calm'), configSource('off', { enabled: false }), configSource('flaky'), configSource('dead')] });
    await store.addChatSource({ id: 'blog', url: 'https://blog.example/feed', every: '15m', addedIn: 'slack:C1', addedBy: 'U1', addedAt: ago(60) });
    const state = (patch: Partial<FetchState>): FetchState => ({ ...emptyFetchState(), ...patch });
    await store.setFetchState('calm', state({ lastFetchAt: ago(3), lastNewAt: ago(90) }));
    await store.setFetchState('flaky', state({ health: 'failing', failures: 3, lastError: 'HTTP 503 from https://flaky.example/feed.xml', lastFetchAt: ago(1), lastNewAt: ago(3 * 24 * 60) }));
    await store.setFetchState('dead', state({ health: 'disabled', failures: 12, lastError: 'HTTP 410 from https://dead.example/feed.xml', lastFetchAt: ago(600) }));
    await store.setFetchState('blog', state({ health: 'failing', failures: 1, lastError: 'timeout', lastFetchAt: ago(0) }));
    await store.enqueueDeliveries([alert('a'), alert('b'), alert('c', 'discord:D1')].map((a) => ({ alert: a, attempts: 0, notBefore: 0 })));
    await store.holdForDigest('slack:C1', [alert('h1'), alert('h2')]);
    await store.holdForDigest('discord:D1', [alert('h3')]);

    const r = await run('status', '', { canManage: false });
    expect(r.ok).toBe(true);
    expect(r.ephemeral).toBe(true);
    expect(r.text).toBe("5 sources: 2 failing, 1 disabled. Delivery backlog: 3 alerts. Held for this channel's next digest: 2.");
    expect(r.lines).toEqual([
      { text: 'dead', meta: 'disabled · last fetch 10 h ago · last new item never · 12 consecutive failures · HTTP 410 from https://dead.example/feed.xml' },
      { text: 'flaky', meta: 'failing · last fetch 1 min ago · last new item 3 days ago · 3 consecutive failures · HTTP 503 from https://flaky.example/feed.xml' },
      { text: 'blog', meta: 'failing · last fetch just now · last new item never · 1 consecutive failure · timeout' },
      { text: 'off', meta: 'switched off in the config · last fetch never · last new item never' },
      { text: 'calm', meta: 'ok · last fetch 3 min ago · last new item 1 h ago' },
    ]);
  });

  it('stays within about 25 lines however many sources there are', async () => {
    const sources = Array.from({ length: 60 }, (_, i) => configSource(`s${i}`));
    const { store, run } = setup({ sources });
    await store.setFetchState('s59', { ...emptyFetchState(), health: 'failing', failures: 2 });
    const r = await run('status', '');
    expect(r.lines).toHaveLength(23);
    expect(r.lines[0]?.text).toBe('s59');
    expect(r.lines.at(-1)?.text).toBe('… and 38 more');
    expect(shown(r).split('\n').length).toBeLessThanOrEqual(25);
  });

  it('with no sources says so; arguments get the usage line', async () => {
    const { run } = setup();
    expect((await run('status', '')).text).toBe("No sources. Delivery backlog: 0 alerts. Held for this channel's next digest: 0.");
    const bad = await run('status', 'verbose');
    expect(bad.ok).toBe(false);
    expect(bad.text).toBe('Usage: /status');
  });
});

describe('/wirewatch help', () => {
  it('lists every command with its usage and an example, with or without "help"', async () => {
    const { run } = setup();
    for (const args of ['help', '', 'HELP']) {
      const r = await run('wirewatch', args, { canManage: false });
      expect(r.ok).toBe(true);
      expect(r.ephemeral).toBe(true);
      expect(r.lines.map((l) => l.text.split(' ')[1])).toEqual(['/watch', '/source', '/news', '/alerts', '/price', '/status', '/wirewatch']);
      for (const line of r.lines) expect(line.meta).toMatch(/^e\.g\. \/\w+/);
    }
    expect(shown(await run('wirewatch', ''))).toMatch(/e\.g\. \/alerts quiet 22:00-07:00 Europe\/Paris/);
    const bad = await run('wirewatch', 'frob');
    expect(bad).toMatchObject({ ok: false, text: 'Usage: /wirewatch help' });
  });
});
