import { describe, expect, it } from 'vitest';
import type { RecentAlert } from '../../../src/domain.js';
import { NOW, setup } from './helpers.js';

/** An alert `minutesAgo` before NOW. */
function alert(i: number, minutesAgo: number, patch: Partial<RecentAlert> = {}): RecentAlert {
  const at = new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
  return {
    title: i % 2 === 0 ? `Nvidia story ${i}` : `Bitcoin story ${i}`,
    url: `https://example.org/${i}`,
    source: 'Wire',
    sourceId: 'wire',
    published: at,
    topics: [i % 2 === 0 ? 'ai-chips' : 'crypto'],
    alertedAt: at,
    channels: ['slack:C1'],
    ...patch,
  };
}

describe('/news', () => {
  it('finds recent stories matching every query word, newest first, at most 10, with link, source count and topics', async () => {
    const { store, run } = setup();
    // The store keeps the newest first; add oldest first.
    await store.addRecentAlerts(Array.from({ length: 14 }, (_, i) => alert(i, 600 - i * 10)));
    const r = await run('news', 'NVIDIA story', { canManage: false });
    expect(r.ok).toBe(true);
    expect(r.ephemeral).toBe(false);
    expect(r.text).toBe('7 recent stories matching "NVIDIA story", newest first:');
    expect(r.lines.map((l) => l.text)).toEqual(['Nvidia story 12', 'Nvidia story 10', 'Nvidia story 8', 'Nvidia story 6', 'Nvidia story 4', 'Nvidia story 2', 'Nvidia story 0']);
    expect(r.lines[0]).toEqual({ text: 'Nvidia story 12', url: 'https://example.org/12', meta: 'Wire · 2024-06-03 02:07 UTC · ai-chips · 1 source' });
    expect((await run('news', 'story')).lines).toHaveLength(10);
    const none = await run('news', 'solana');
    expect(none.ok).toBe(true);
    expect(none.text).toBe('No recent story matches "solana".');
  });

  it('searches every alert the store keeps, not only the newest few hundred', async () => {
    const { store, run } = setup();
    // Oldest first: the H200 story, then 5,000 others within the week.
    await store.addRecentAlerts([alert(0, 6 * 24 * 60, { title: 'China clears H200 imports', url: 'https://example.org/h200' })]);
    await store.addRecentAlerts(Array.from({ length: 5000 }, (_, i) => alert(i + 1, 5000 - i)));
    const r = await run('news', 'h200 china');
    expect(r.lines.map((l) => l.text)).toEqual(['China clears H200 imports']);
    // The newest of the rest come first; duplicates of a URL are shown once.
    await store.addRecentAlerts([alert(5000, 0)]);
    expect((await run('news', 'bitcoin story')).lines.map((l) => l.text).slice(0, 2)).toEqual(['Bitcoin story 4999', 'Bitcoin story 4997']);
    expect((await run('news', 'nvidia')).lines.filter((l) => l.text === 'Nvidia story 5000')).toHaveLength(1);
  });

  it('counts the outlets of a story when the record carries them', async () => {
    const { store, run } = setup();
    const withOutlets = { ...alert(0, 5), reportedBy: ['Reuters', 'Bloomberg', 'FT'] };
    await store.addRecentAlerts([withOutlets]);
    expect((await run('news', 'nvidia')).lines[0]?.meta).toMatch(/· 3 sources$/);
  });

  it('counts every outlet of a story whose record names only the first ones', async () => {
    const { store, run } = setup();
    await store.addRecentAlerts([{ ...alert(0, 5), reportedBy: ['Reuters', 'Bloomberg', 'FT'], reportedByCount: 240 }]);
    expect((await run('news', 'nvidia')).lines[0]?.meta).toMatch(/· 240 sources$/);
  });

  it('since: narrows the window (30m, 6h, 24h, 7d) and refuses anything else with the usage line', async () => {
    const { store, run } = setup();
    await store.addRecentAlerts([alert(0, 3 * 24 * 60), alert(2, 20 * 60), alert(4, 5 * 60), alert(6, 20)]);
    const titles = async (args: string) => (await run('news', args)).lines.map((l) => l.text);
    expect(await titles('nvidia since:30m')).toEqual(['Nvidia story 6']);
    expect(await titles('nvidia since:6h')).toEqual(['Nvidia story 6', 'Nvidia story 4']);
    expect(await titles('since:24h nvidia')).toEqual(['Nvidia story 6', 'Nvidia story 4', 'Nvidia story 2']);
    expect(await titles('nvidia SINCE:7d')).toHaveLength(4);
    for (const bad of ['since:8d', 'since:0h', 'since:soon', 'nvidia since:']) {
      const r = await run('news', bad);
      expect(r.ok, bad).toBe(false);
      expect(r.ephemeral).toBe(true);
      expect(r.text).toMatch(/is not a window such as since:30m.*Usage: \/news \[query\] \[since:30m\|6h\|24h\|7d\]$/);
    }
    expect((await run('news', '@@@')).text).toMatch(/^The query has no letter or digit\. Usage: \/news/);
  });

  it('without a query shows the latest stories alerted in this channel', async () => {
    const { store, run } = setup();
    await store.addRecentAlerts([
      alert(1, 50, { channels: ['slack:C1', 'discord:D1'] }),
      alert(2, 40, { channels: ['discord:D1'] }),
      alert(3, 30, { channels: ['slack:C1'] }),
    ]);
    const r = await run('news', '');
    expect(r.text).toBe('The latest 2 stories alerted in this channel, newest first:');
    expect(r.lines.map((l) => l.text)).toEqual(['Bitcoin story 3', 'Bitcoin story 1']);
    expect((await run('news', '', { channel: 'discord:D1' })).lines.map((l) => l.text)).toEqual(['Nvidia story 2', 'Bitcoin story 1']);
    const empty = await run('news', '', { channel: 'slack:C9' });
    expect(empty.text).toBe('No story was alerted in this channel recently.');
  });
});
