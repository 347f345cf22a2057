import { describe, expect, it } from 'vitest';
import { setup, shown } from './helpers.js';

describe('/watch', () => {
  it('add stores normalised terms per channel and reports duplicates', async () => {
    const { store, run } = setup();
    const r = await run('watch', 'add nvidia "Stargate Project" -gaming $BTC');
    expect(r.ok).toBe(true);
    expect(r.ephemeral).toBe(true);
    expect(r.text).toBe('Now watching: nvidia, "stargate project", -gaming, btc.');
    expect(await store.getWatchTerms('slack:C1')).toEqual(['nvidia', '"stargate project"', '-gaming', 'btc']);
    expect(await store.getWatchTerms('slack:C2')).toEqual([]);
    const again = await run('watch', 'add nvidia amd');
    expect(again.text).toBe('Now watching: amd. Already watched: nvidia.');
  });

  it('add understands topic filters (subscribe, exclude, filtered term)', async () => {
    const { store, run } = setup();
    const r = await run('watch', 'add topic:crypto -topic:ai-chips topic:crypto:tether');
    expect(r.ok).toBe(true);
    expect(await store.getWatchTerms('slack:C1')).toEqual(['topic:crypto', '-topic:ai-chips', 'topic:crypto:tether']);
    const bad = await run('watch', 'add topic:weather');
    expect(bad.ok).toBe(false);
    expect(bad.text).toMatch(/unknown topic "weather".*Usage: \/watch/);
  });

  it('remove, list and clear', async () => {
    const { store, run } = setup();
    await run('watch', 'add nvidia amd topic:ai-chips');
    expect((await run('watch', 'remove NVIDIA')).text).toBe('Stopped watching nvidia.');
    const missing = await run('watch', 'remove nvidia');
    expect(missing.ok).toBe(false);
    expect(missing.text).toMatch(/not on this channel's watchlist/);
    const list = await run('watch', 'list', { canManage: false });
    expect(list.ok).toBe(true);
    expect(list.lines).toEqual([
      { text: 'Topics: crypto', meta: 'from the config file' },
      { text: 'Terms: "spot etf"', meta: 'from the config file' },
      { text: 'Terms: amd, topic:ai-chips', meta: 'added in chat' },
    ]);
    expect((await run('watch', 'clear')).text).toMatch(/Removed 2 chat-added terms/);
    expect(await store.getWatchTerms('slack:C1')).toEqual([]);
    expect((await run('watch', 'clear')).text).toBe('This channel had no chat-added terms.');
    const empty = await run('watch', 'list', { channel: 'discord:9' });
    expect(empty.text).toMatch(/^This channel watches nothing yet\. Usage: \/watch/);
  });

  it('changes need permission to manage the channel; the refusal says why', async () => {
    const { store, run } = setup();
    await run('watch', 'add amd');
    for (const args of ['add nvidia', 'remove amd', 'clear']) {
      const r = await run('watch', args, { canManage: false, manageHint: 'needs the Manage Channels permission' });
      expect(r.ok, args).toBe(false);
      expect(r.ephemeral).toBe(true);
      expect(r.text).toBe('Only people who may manage this channel can change its wirewatch settings: needs the Manage Channels permission.');
    }
    const noHint = await run('watch', 'clear', { canManage: false });
    expect(noHint.text).toBe('Only people who may manage this channel can change its wirewatch settings.');
    expect(await store.getWatchTerms('slack:C1')).toEqual(['amd']);
  });

  it('bad arguments get the usage line and store nothing', async () => {
    const { store, run } = setup();
    for (const args of ['', 'frobnicate', 'add', 'add "unterminated', 'remove', 'remove a b', 'add @@@', 'clear now']) {
      const r = await run('watch', args);
      expect(r.ok, args).toBe(false);
      expect(r.text, args).toMatch(/Usage: \/watch add <terms> \| \/watch remove <term> \| \/watch list \| \/watch clear$/);
      expect(shown(r)).not.toMatch(/\n\s+at /);
    }
    expect((await run('watch', 'frobnicate')).text).toMatch(/^Unknown subcommand "frobnicate"\./);
    expect(await store.getWatchTerms('slack:C1')).toEqual([]);
  });
});
