import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import type { Store } from '../../../src/store/store.js';
import type { CommandName } from '../../../src/bots/chat-adapter.js';
import { setup, shown } from './helpers.js';

describe('command core', () => {
  it('strips control characters from the arguments before a command sees them', async () => {
    const { store, run } = setup();
    const r = await run('watch', 'add\u0000nvidia\u0007\u001b[31m\u009b amd');
    expect(r.ok).toBe(true);
    expect(await store.getWatchTerms('slack:C1')).toEqual(['nvidia', '31m', 'amd']);
  });

  it('refuses arguments longer than 2000 characters with the usage line, storing nothing', async () => {
    const { store, run } = setup();
    const r = await run('watch', `add ${'x'.repeat(2001)}`);
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/2005 characters; the limit is 2000\. Usage: \/watch/);
    expect(await store.getWatchTerms('slack:C1')).toEqual([]);
  });

  it('a store failure becomes a short reply and a log line, never a stack trace', async () => {
    const memory = createMemoryStore();
    const broken: Store = { ...memory, addWatchTerms: () => Promise.reject(new Error('connection lost\n    at Socket.x (node:net:1:1)')) };
    const { run, logs } = setup({ store: broken });
    const r = await run('watch', 'add nvidia');
    expect(r.ok).toBe(false);
    expect(r.ephemeral).toBe(true);
    expect(r.text).toMatch(/could not do that right now \(connection lost\)/);
    expect(r.text).not.toMatch(/node:net/);
    expect(logs.some((l) => l.msg === 'command failed' && l.command === 'watch')).toBe(true);
  });

  it('answers in English when the channel settings cannot be read', async () => {
    const memory = createMemoryStore();
    const broken: Store = { ...memory, getChannelSettings: () => Promise.reject(new Error('down')) };
    const { run } = setup({ store: broken });
    const r = await run('watch', 'list');
    expect(r.text).toMatch(/This channel receives an alert/);
  });

  it('an unknown command name is refused politely', async () => {
    const { run } = setup();
    const r = await run('nope' as CommandName, '');
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/Unknown command \/nope/);
    const proto = await run('__proto__' as CommandName, '');
    expect(proto.ok).toBe(false);
  });

  it('lookups /news and /price answer in the channel; everything else only to the caller', async () => {
    const { run, store } = setup();
    await store.addRecentAlerts([
      { title: 'Nvidia story', url: 'https://e.org/1', source: 'Wire', sourceId: 'wire', published: undefined, topics: [], alertedAt: '2024-06-03T10:00:00Z', channels: ['slack:C1'] },
    ]);
    expect((await run('news', 'nvidia')).ephemeral).toBe(false);
    for (const [name, args] of [['watch', 'list'], ['source', 'list'], ['alerts', ''], ['status', ''], ['wirewatch', 'help'], ['watch', 'add x']] as const) {
      const r = await run(name, args);
      expect(r.ephemeral, `${name} ${args}: ${shown(r)}`).toBe(true);
    }
    // A failed lookup is private too.
    expect((await run('news', 'since:99y')).ephemeral).toBe(true);
  });
});
