import { describe, expect, it } from 'vitest';
import { configSource, feedServer, NOW, setup, shown, testFetcher } from './helpers.js';

describe('/source add', () => {
  it('validates the feed by fetching it, then stores a chat source whose id is the slug of its title', async () => {
    const srv = await feedServer();
    const { store, run } = setup();
    const r = await run('source', `add ${srv.origin}/feed.xml`, { user: 'U42' });
    expect(r.ok, r.text).toBe(true);
    expect(r.ephemeral).toBe(true);
    expect(r.text).toBe(
      'Added chip-wire-daily (Chip Wire Daily, 4 items now), polled every 15m. Its first poll only remembers what is already in the feed: newer items will alert.',
    );
    expect(await store.listChatSources()).toEqual([
      { id: 'chip-wire-daily', url: `${srv.origin}/feed.xml`, every: '15m', addedIn: 'slack:C1', addedBy: 'U42', addedAt: NOW.toISOString() },
    ]);
    expect(srv.requests.map((q) => q.url)).toEqual(['/feed.xml']);
  });

  it('takes an interval, refuses one under the configured floor or not schedulable, and unwraps Slack links', async () => {
    const srv = await feedServer();
    const { store, run } = setup({ minIntervalMs: 5 * 60_000 });
    const tooOften = await run('source', `add ${srv.origin}/feed.xml 1m`);
    expect(tooOften.ok).toBe(false);
    expect(tooOften.text).toBe('Every 1m is too often: this instance polls at most every 5m.');
    const odd = await run('source', `add ${srv.origin}/feed.xml 90m`);
    expect(odd.text).toMatch(/^"90m" is not an interval such as 15m.*Usage: \/source/);
    expect(srv.requests).toEqual([]);
    const ok = await run('source', `add <${srv.origin}/feed.xml|feed> 30m`);
    expect(ok.ok, ok.text).toBe(true);
    expect((await store.listChatSources()).map((s) => [s.url, s.every])).toEqual([[`${srv.origin}/feed.xml`, '30m']]);
  });

  it('picks an id unique against config and chat sources, and refuses a feed already polled', async () => {
    const srv = await feedServer();
    const { store, run } = setup({ sources: [configSource('chip-wire-daily')] });
    expect((await run('source', `add ${srv.origin}/feed.xml`)).ok).toBe(true);
    expect((await run('source', `add ${srv.origin}/other.xml`)).ok).toBe(true);
    expect((await store.listChatSources()).map((s) => s.id)).toEqual(['chip-wire-daily-2', 'chip-wire-daily-3']);
    const dup = await run('source', `add ${srv.origin}/feed.xml`);
    expect(dup.ok).toBe(false);
    expect(dup.text).toBe('That feed is already polled as chip-wire-daily-2.');
    const configured = setup({ sources: [configSource('wire', { url: `${srv.origin}/feed.xml` })] });
    expect((await configured.run('source', `add ${srv.origin}/feed.xml`)).text).toBe('That feed is already polled as wire.');
  });

  it('refuses an HTML page and a 404 with the reason, storing nothing', async () => {
    const srv = await feedServer();
    const { store, run } = setup();
    const html = await run('source', `add ${srv.origin}/page.html`);
    expect(html.ok).toBe(false);
    expect(html.text).toMatch(new RegExp(`^Not added: ${srv.origin}/page.html — it is not an RSS, Atom, RDF or JSON feed \\(.+\\)\\.$`));
    const missing = await run('source', `add ${srv.origin}/missing.xml`);
    expect(missing.text).toMatch(/the server answered with an error \(.*404.*\)/);
    expect(await store.listChatSources()).toEqual([]);
  });

  it('refuses an internal address by the SSRF rules, without contacting it or naming what it resolved to', async () => {
    const srv = await feedServer();
    const { store, run } = setup({ fetcher: testFetcher(true) });
    for (const url of [`${srv.origin}/feed.xml`, `http://localhost:${srv.port}/feed.xml`, `http://[::ffff:127.0.0.1]:${srv.port}/feed.xml`]) {
      const r = await run('source', `add ${url}`);
      expect(r.ok, url).toBe(false);
      expect(r.text).toMatch(/that address is not allowed \(private or internal network\)\.$/);
      expect(r.text).not.toMatch(/loopback|127\.0\.0\.1 is|resolves/);
    }
    expect(srv.requests).toEqual([]);
    expect(await store.listChatSources()).toEqual([]);
  });

  it('bad arguments get the usage line; changes need permission', async () => {
    const { store, run } = setup();
    for (const args of ['add', 'add ftp://example.com/feed', 'add notaurl', 'add https://e.org/f a b', 'remove', 'remove a b', 'test', 'list all', 'frob']) {
      const r = await run('source', args);
      expect(r.ok, args).toBe(false);
      expect(r.text, args).toMatch(/Usage: \/source add <url> \[every, e\.g\. 15m\] \| \/source remove <id> \| \/source list \| \/source test <url>$/);
    }
    const refused = await run('source', 'add https://e.org/feed', { canManage: false, manageHint: 'needs a workspace admin' });
    expect(refused.text).toMatch(/settings: needs a workspace admin\.$/);
    expect((await run('source', 'remove x', { canManage: false })).text).toMatch(/^Only people who may manage/);
    expect(await store.listChatSources()).toEqual([]);
  });
});

describe('/source remove, list, test', () => {
  it('removes only chat-added sources and explains where config sources live', async () => {
    const { store, run } = setup({ sources: [configSource('reuters')] });
    await store.addChatSource({ id: 'blog', url: 'https://blog.example/feed', every: '15m', addedIn: 'slack:C1', addedBy: 'U1', addedAt: NOW.toISOString() });
    const config = await run('source', 'remove reuters');
    expect(config.ok).toBe(false);
    expect(config.text).toMatch(/^reuters comes from the wirewatch config file; remove it there/);
    expect((await run('source', 'remove nope')).text).toBe('No source added in chat is called nope (see /source list).');
    expect((await run('source', 'remove blog')).text).toBe('Removed blog; it is no longer polled.');
    expect(await store.listChatSources()).toEqual([]);
  });

  it('lists config and chat sources with their health, open to everyone', async () => {
    const { store, run } = setup({ sources: [configSource('reuters', { name: 'Reuters' }), configSource('old', { enabled: false, every: undefined, cron: '0 * * * *' })] });
    await store.addChatSource({ id: 'blog', url: 'https://blog.example/feed', every: '30m', addedIn: 'slack:C1', addedBy: 'U1', addedAt: NOW.toISOString() });
    await store.setFetchState('blog', { ...(await store.getFetchState('blog')), health: 'failing', failures: 2, lastFetchAt: '2024-06-03T10:00:00Z' });
    const r = await run('source', 'list', { canManage: false });
    expect(r.ok).toBe(true);
    expect(r.text).toBe('3 sources:');
    expect(r.lines).toEqual([
      { text: 'reuters — Reuters', url: 'https://reuters.example/feed.xml', meta: 'config file · every 5m · ok · last fetch never' },
      { text: 'old', url: 'https://old.example/feed.xml', meta: 'config file · every 0 * * * * · switched off in the config · last fetch never' },
      { text: 'blog', url: 'https://blog.example/feed', meta: 'added in chat · every 30m · failing · last fetch 7 min ago' },
    ]);
    expect((await setup().run('source', 'list')).text).toMatch(/^No sources yet\. Usage: \/source/);
  });

  it('test previews the newest three items with the topics they would get, and stores nothing', async () => {
    const srv = await feedServer();
    const { store, run } = setup();
    const r = await run('source', `test ${srv.origin}/feed.xml`, { canManage: false });
    expect(r.ok, r.text).toBe(true);
    expect(r.text).toBe('Chip Wire Daily (rss-2.0, 4 items). The newest 3 and the topics they would get:');
    expect(r.lines).toEqual([
      { text: 'Nvidia unveils Blackwell Ultra GPU for AI data centers', url: 'https://chipwire.example/1', meta: '2024-06-03 09:00 UTC · topics: ai-chips' },
      { text: 'Bitcoin ETF inflows hit record as BTC tops $70,000', url: 'https://chipwire.example/2', meta: '2024-06-03 08:00 UTC · topics: crypto' },
      { text: 'TSMC starts 2nm production for AI accelerators', url: 'https://chipwire.example/3', meta: '2024-06-02 07:00 UTC · topics: ai-chips' },
    ]);
    expect(await store.listChatSources()).toEqual([]);
    const html = await run('source', `test ${srv.origin}/page.html`);
    expect(html.ok).toBe(false);
    expect(shown(html)).toMatch(/^Cannot read .*page\.html: it is not an RSS, Atom, RDF or JSON feed/);
  });
});
