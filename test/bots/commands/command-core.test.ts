import { describe, expect, it } from 'vitest';
import type { ChannelConfig } from '../../../src/domain.js';
import { createLogger } from '../../../src/log.js';
import { createCommandHandler } from '../../../src/bots/commands/command-core.js';
import type { CommandRequest } from '../../../src/bots/chat-adapter.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import type { Store } from '../../../src/store/store.js';

const channels: ChannelConfig[] = [{ id: 'C1', adapter: 'slack', webhookUrl: undefined, topics: ['crypto'], watch: ['"spot etf"'] }];
const setup = (store: Store = createMemoryStore()) => {
  const handle = createCommandHandler({ store, logger: createLogger({ level: 'silent' }), channels });
  const run = (name: CommandRequest['name'], args: string, channel = 'slack:C1') => handle({ name, args, channel, user: 'U1' });
  return { store, run };
};

describe('command core', () => {
  it('/watch add stores normalised terms per channel and reports duplicates', async () => {
    const { store, run } = setup();
    const r = await run('watch', 'add nvidia "Stargate Project" -gaming $BTC');
    expect(r.ok).toBe(true);
    expect(r.ephemeral).toBe(true);
    expect(r.text).toMatch(/Now watching/);
    const terms = await store.getWatchTerms('slack:C1');
    expect(terms).toContain('nvidia');
    expect(terms).toContain('-gaming');
    expect(terms.some((t) => /stargate project/i.test(t))).toBe(true);
    expect(await store.getWatchTerms('slack:C2')).toEqual([]);
    const again = await run('watch', 'add nvidia');
    expect(again.text).toMatch(/already watched: nvidia/);
  });

  it('/watch remove and /watch list', async () => {
    const { run } = setup();
    await run('watch', 'add nvidia amd');
    expect((await run('watch', 'remove nvidia')).text).toMatch(/Stopped watching nvidia/);
    const missing = await run('watch', 'remove nvidia');
    expect(missing.ok).toBe(false);
    expect(missing.text).toMatch(/not on this channel's watchlist/);
    const list = await run('watch', 'list');
    const lines = list.lines.map((l) => l.text).join('\n');
    expect(lines).toMatch(/Topics: crypto/);
    expect(lines).toMatch(/"spot etf"/);
    expect(lines).toMatch(/amd/);
    expect(lines).not.toMatch(/nvidia/);
  });

  it('bad arguments get a usage line and store nothing', async () => {
    const { store, run } = setup();
    for (const args of ['', 'frobnicate', 'add', 'add "unterminated', 'remove', 'add @@@', `add ${'x'.repeat(3000)}`]) {
      const r = await run('watch', args);
      expect(r.ok, args.slice(0, 20)).toBe(false);
      expect(r.text).toMatch(/Usage: \/watch/);
      expect(r.text).not.toMatch(/\n\s+at /);
    }
    expect(await store.getWatchTerms('slack:C1')).toEqual([]);
    expect((await run('news', '   ')).text).toMatch(/Usage: \/news/);
  });

  it('/news finds recent alerts matching every query word, newest first, at most 10', async () => {
    const { store, run } = setup();
    const at = (i: number) => new Date(Date.UTC(2026, 10, 29, 8, i)).toISOString();
    await store.addRecentAlerts(
      Array.from({ length: 14 }, (_, i) => ({
        title: i % 2 === 0 ? `Nvidia story ${i}` : `Bitcoin story ${i}`,
        url: `https://example.org/${i}`,
        source: 'Wire',
        sourceId: 'wire',
        published: at(i),
        topics: [i % 2 === 0 ? ('ai-chips' as const) : ('crypto' as const)],
        alertedAt: at(i),
        channels: ['slack:C1'],
      })),
    );
    const r = await run('news', 'NVIDIA story');
    expect(r.ok).toBe(true);
    expect(r.lines.map((l) => l.text)).toEqual(['Nvidia story 12', 'Nvidia story 10', 'Nvidia story 8', 'Nvidia story 6', 'Nvidia story 4', 'Nvidia story 2', 'Nvidia story 0']);
    expect(r.lines[0]?.url).toBe('https://example.org/12');
    const all = await run('news', 'story');
    expect(all.lines).toHaveLength(10);
    expect((await run('news', 'solana')).text).toMatch(/No recent alert/);
  });

  it('a store failure becomes a short reply, never a stack trace', async () => {
    const store = createMemoryStore();
    await store.close();
    const broken: Store = { ...store, addWatchTerms: () => Promise.reject(new Error('connection lost\n    at Socket.x (node:net:1:1)')) };
    const { run } = setup(broken);
    const r = await run('watch', 'add nvidia');
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/could not do that right now \(connection lost\)/);
    expect(r.text).not.toMatch(/node:net/);
  });
});
