// The console adapter: alerts, story updates and digests as terminal text or JSON lines.
import { describe, expect, it } from 'vitest';
import { createConsoleAdapter } from '../../src/bots/console-adapter.js';
import type { Alert, ChannelConfig } from '../../src/domain.js';

const channel: ChannelConfig = { id: 'news', adapter: 'console', webhookUrl: undefined, topics: [], watch: [] };

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    channel: 'console:news',
    title: 'Nvidia unveils a chip',
    url: 'https://example.com/n',
    source: 'Reuters',
    sourceId: 'reuters',
    published: '2024-05-01T14:03:00Z',
    topics: ['ai-chips'],
    matched: ['nvidia'],
    summary: '',
    ...overrides,
  };
}

function capture(format?: 'text' | 'json'): { lines: string[]; adapter: ReturnType<typeof createConsoleAdapter> } {
  const lines: string[] = [];
  return { lines, adapter: createConsoleAdapter({ write: (t) => lines.push(t), ...(format ? { format } : {}) }) };
}

describe('console adapter', () => {
  it('marks a breaking alert and shows its highlights', async () => {
    const { lines, adapter } = capture();
    await adapter.deliver(channel, alert({ breaking: true, highlights: ['$100 billion'] }));
    expect(lines[0]).toBe(
      '▶ #news 🔴 BREAKING [ai-chips] Nvidia unveils a chip\n  Reuters · 2024-05-01 14:03 UTC · matched: nvidia · highlights: $100 billion\n  https://example.com/n',
    );
  });

  it('prints a story update as one short line and answers ok with the ref', async () => {
    const { lines, adapter } = capture();
    const outcome = await adapter.updateStory(channel, 'r1', alert({ source: 'AP', reportedBy: ['Reuters', 'Bloomberg', 'AP\u001b[31m'] }));
    expect(outcome).toEqual({ ok: true, ref: 'r1' });
    expect(lines).toEqual(['↳ #news also reported by 2 outlets: Bloomberg, AP [31m — Nvidia unveils a chip']);
  });

  it('counts every outlet of a story whose alert names only the first ones', async () => {
    const { lines, adapter } = capture();
    await adapter.updateStory(channel, 'r1', alert({ reportedBy: ['Reuters', 'Bloomberg', 'AP'], reportedByCount: 40 }));
    expect(lines).toEqual(['↳ #news also reported by 39 outlets: Bloomberg, AP …and 37 more — Nvidia unveils a chip']);
  });

  it('prints a digest with its note, in French when asked', async () => {
    const { lines, adapter } = capture();
    expect(await adapter.deliverDigest(channel, [alert(), alert({ id: 'b', title: 'Bitcoin', topics: ['crypto'], breaking: true, url: undefined })], 'fr', 'retenu')).toEqual({
      ok: true,
    });
    expect(lines[0]).toBe(
      '▶ #news wirewatch — résumé, 2 articles\n  • Nvidia unveils a chip — Reuters · ai-chips https://example.com/n\n  • 🔴 Bitcoin — Reuters · crypto\n  (retenu)',
    );
  });

  it('writes JSON lines for updates and digests', async () => {
    const { lines, adapter } = capture('json');
    await adapter.updateStory(channel, 'r1', alert({ reportedBy: ['A', 'B'] }));
    await adapter.deliverDigest(channel, [alert()], 'en');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ type: 'story_update', ref: 'r1', reportedBy: ['A', 'B'] });
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ type: 'digest', note: null, alerts: [{ title: 'Nvidia unveils a chip' }] });
  });
});
