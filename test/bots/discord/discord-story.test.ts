// Story updates and digests through the real discord.js REST and WebhookClient against the fake.
import type { APIEmbed } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatAdapter } from '../../../src/bots/chat-adapter.js';
import { createDiscordBot, type DiscordBot, type DiscordBotOptions } from '../../../src/bots/discord/discord-adapter.js';
import { createDiscordWebhookAdapter } from '../../../src/bots/discord/discord-webhook-adapter.js';
import { DISCORD_LIMITS, embedLength } from '../../../src/bots/discord/render.js';
import type { ChannelConfig } from '../../../src/domain.js';
import { startFakeDiscord, type FakeDiscord } from '../../support/fake-discord.js';
import { captureLogger, makeAlert } from './helpers.js';

const later = makeAlert({ id: 'a2', source: 'The Verge', title: 'Nvidia chip, again', reportedBy: ['Example News', 'Bloomberg', '@everyone **Verge**'] });

const outletsField = (embed: APIEmbed | undefined): APIEmbed['fields'] => (embed?.fields ?? []).filter((f) => /^(Also reported by|Aussi rapporté par) \(/.test(f.name));

describe('Discord bot: updateStory and deliverDigest', () => {
  let fake: FakeDiscord;
  const bots: DiscordBot[] = [];
  let channel: ChannelConfig;

  function makeBot(overrides: Partial<DiscordBotOptions> = {}): ChatAdapter {
    const bot = createDiscordBot({
      token: 'tok',
      apiUrl: fake.apiUrl,
      logger: captureLogger().logger,
      restOffsetMs: 0,
      listenForCommands: false,
      onCommand: async () => ({ ok: true, text: '', lines: [], ephemeral: true }),
      ...overrides,
    });
    bots.push(bot);
    return bot.adapter;
  }

  beforeEach(async () => {
    fake = await startFakeDiscord();
    channel = { id: fake.channelId, adapter: 'discord', webhookUrl: undefined, topics: [], watch: [] };
  });

  afterEach(async () => {
    for (const bot of bots.splice(0)) await bot.close();
    await fake.close();
  });

  it('edits the first message: the outlets field is added, the rest kept, nothing new posted', async () => {
    const adapter = makeBot();
    const first = await adapter.deliver(channel, makeAlert());
    if (!first.ok || !first.ref) throw new Error('no id');
    expect(await adapter.updateStory(channel, first.ref, later)).toEqual({ ok: true, ref: first.ref });
    expect(fake.edits).toHaveLength(1);
    const [edit] = fake.edits;
    expect(edit).toMatchObject({ channelId: fake.channelId, messageId: first.ref });
    expect(edit?.body['allowed_mentions']).toEqual({ parse: [] });
    const [embed] = edit?.body['embeds'] as APIEmbed[];
    expect(embed?.title).toBe('Nvidia unveils a new AI chip');
    expect(outletsField(embed)).toEqual([{ name: 'Also reported by (2)', value: 'Bloomberg, @\u200beveryone \\*\\*Verge\\*\\*', inline: false }]);
    expect(fake.messages).toHaveLength(1);
  });

  it('a second update replaces the field; after a restart the embed is read back first', async () => {
    const first = await makeBot().deliver(channel, makeAlert());
    if (!first.ok || !first.ref) throw new Error('no id');
    const restarted = makeBot();
    await restarted.updateStory(channel, first.ref, makeAlert({ reportedBy: ['Example News', 'Bloomberg'] }));
    await restarted.updateStory(channel, first.ref, later);
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${fake.channelId}/messages/${first.ref}`)).toHaveLength(1);
    const stored = fake.message(first.ref)?.['embeds'] as APIEmbed[];
    expect(outletsField(stored[0])).toHaveLength(1);
    expect(outletsField(stored[0])?.[0]?.name).toBe('Also reported by (2)');
  });

  it('labels the field in French', async () => {
    const adapter = makeBot();
    const first = await adapter.deliver(channel, makeAlert({ lang: 'fr' }));
    if (!first.ok || !first.ref) throw new Error('no id');
    await adapter.updateStory(channel, first.ref, { ...later, lang: 'fr' });
    const [embed] = fake.edits[0]?.body['embeds'] as APIEmbed[];
    expect(outletsField(embed)?.[0]?.name).toBe('Aussi rapporté par (2)');
    expect(embed?.fields?.map((f) => f.name)).toContain('Sujets');
  });

  it('a 429 during the update answers rate_limited with the wait', async () => {
    const adapter = makeBot({ maxRateLimitWaitMs: 1_000 });
    const first = await adapter.deliver(channel, makeAlert());
    if (!first.ok || !first.ref) throw new Error('no id');
    fake.failNext(1, { kind: 'rate_limit', retryAfterSec: 30 }, 'edit');
    expect(await adapter.updateStory(channel, first.ref, later)).toMatchObject({ ok: false, reason: 'rate_limited', retryAfterMs: 30_000 });
    expect(fake.edits).toHaveLength(0);
  });

  it('an unknown message or channel is rejected, not retryable', async () => {
    const adapter = makeBot();
    expect(await adapter.updateStory(channel, '123456789012345678', later)).toMatchObject({
      ok: false,
      reason: 'rejected',
      retryable: false,
      message: expect.stringContaining('10008'),
    });
    fake.failNext(1, { kind: 'unknown_channel' }, 'fetch');
    expect(await adapter.updateStory(channel, '123456789012345678', later)).toMatchObject({ ok: false, reason: 'rejected', retryable: false });
    expect(await adapter.updateStory(channel, 'not-a-snowflake', later)).toMatchObject({ ok: false, reason: 'rejected', retryable: false });
  });

  it('posts 200 alerts as one digest message within the embed limits', async () => {
    const alerts = Array.from({ length: 200 }, (_, i) =>
      makeAlert({ id: `d${i}`, title: `Story ${i} [click](https://evil.example) @everyone`, url: `https://example.com/${i}`, source: `Outlet ${i}` }),
    );
    const outcome = await makeBot().deliverDigest(channel, alerts, 'en', 'held during quiet hours');
    expect(outcome).toMatchObject({ ok: true, ref: expect.any(String) });
    expect(fake.messages).toHaveLength(1);
    const body = fake.messages[0]?.body ?? {};
    expect(body['allowed_mentions']).toEqual({ parse: [] });
    const embeds = body['embeds'] as APIEmbed[];
    expect(embeds.length).toBeLessThanOrEqual(10);
    expect(embeds.reduce((n, e) => n + embedLength(e), 0)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    for (const e of embeds) expect((e.description ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    expect(embeds[0]?.title).toBe('wirewatch digest — 200 stories');
    expect(embeds.at(-1)?.footer?.text).toBe('held during quiet hours');
    const lines = embeds.flatMap((e) => (e.description ?? '').split('\n'));
    expect(lines[0]).toBe('- [Story 0 \\[click\\](https://evil.example) @\u200beveryone](https://example.com/0) — Outlet 0 · ai-chips');
    const listed = lines.filter((l) => l.startsWith('- ')).length;
    expect(listed).toBeGreaterThan(20);
    expect(lines.at(-1)).toBe(`…and ${200 - listed} more`);
  });

  it('titles a digest in French', async () => {
    await makeBot().deliverDigest(channel, [makeAlert(), makeAlert({ id: 'x' })], 'fr');
    const embeds = fake.messages[0]?.body['embeds'] as APIEmbed[];
    expect(embeds[0]?.title).toBe('wirewatch — résumé, 2 articles');
    expect(embeds[0]?.footer?.text).toBe('wirewatch');
  });
});

describe('Discord webhook: updateStory and deliverDigest', () => {
  const WEBHOOK_ID = '700000000000000001';
  let fake: FakeDiscord;
  let adapter: ChatAdapter;
  let channel: ChannelConfig;

  beforeEach(async () => {
    fake = await startFakeDiscord();
    adapter = createDiscordWebhookAdapter({ logger: captureLogger().logger, apiUrl: fake.apiUrl, restOffsetMs: 0, maxRateLimitWaitMs: 1_000 });
    channel = { id: 'alerts', adapter: 'discord-webhook', webhookUrl: `https://discord.com/api/webhooks/${WEBHOOK_ID}/tok-en`, topics: [], watch: [] };
  });

  afterEach(async () => {
    await adapter.close();
    await fake.close();
  });

  it('edits its own message through the webhook', async () => {
    const first = await adapter.deliver(channel, makeAlert());
    if (!first.ok || !first.ref) throw new Error('no id');
    expect(await adapter.updateStory(channel, first.ref, later)).toEqual({ ok: true, ref: first.ref });
    expect(fake.edits).toEqual([expect.objectContaining({ messageId: first.ref, webhookId: WEBHOOK_ID })]);
    const [embed] = fake.edits[0]?.body['embeds'] as APIEmbed[];
    expect(outletsField(embed)).toHaveLength(1);
    expect(fake.webhookPosts.filter((p) => p.method === 'POST')).toHaveLength(1);
  });

  it('maps a 429 on the edit to rate_limited and a deleted message to rejected', async () => {
    const first = await adapter.deliver(channel, makeAlert());
    if (!first.ok || !first.ref) throw new Error('no id');
    fake.failNext(1, { kind: 'rate_limit', retryAfterSec: 30 }, 'edit');
    expect(await adapter.updateStory(channel, first.ref, later)).toMatchObject({ ok: false, reason: 'rate_limited', retryAfterMs: 30_000 });
    fake.deleteMessage(first.ref);
    expect(await adapter.updateStory(channel, first.ref, later)).toMatchObject({ ok: false, reason: 'rejected', retryable: false });
  });

  it('posts a digest', async () => {
    expect(await adapter.deliverDigest(channel, [makeAlert(), makeAlert({ id: 'b' })], 'en')).toMatchObject({ ok: true });
    const embeds = fake.webhookPosts[0]?.body['embeds'] as APIEmbed[];
    expect(embeds[0]?.title).toBe('wirewatch digest — 2 stories');
  });
});
