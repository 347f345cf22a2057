// The real discord.js WebhookClient against the local fake Discord.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiscordWebhookAdapter, parseDiscordWebhookUrl } from '../../../src/bots/discord/discord-webhook-adapter.js';
import { renderDiscordAlert } from '../../../src/bots/discord/render.js';
import type { ChatAdapter } from '../../../src/bots/chat-adapter.js';
import type { ChannelConfig } from '../../../src/domain.js';
import { startFakeDiscord, type FakeDiscord } from '../../support/fake-discord.js';
import { captureLogger, makeAlert } from './helpers.js';

const WEBHOOK_ID = '700000000000000001';
const WEBHOOK_TOKEN = 'secret-Webhook_token';

function channel(webhookUrl: string | undefined): ChannelConfig {
  return { id: 'alerts', adapter: 'discord-webhook', webhookUrl, topics: ['crypto'], watch: [] };
}

describe('parseDiscordWebhookUrl', () => {
  it('reads id and token from discord.com and versioned URLs', () => {
    expect(parseDiscordWebhookUrl(`https://discord.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`)).toEqual({ id: WEBHOOK_ID, token: WEBHOOK_TOKEN });
    expect(parseDiscordWebhookUrl(`http://127.0.0.1:9/api/v10/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}/`)).toEqual({ id: WEBHOOK_ID, token: WEBHOOK_TOKEN });
  });

  it('refuses anything else', () => {
    expect(parseDiscordWebhookUrl('not a url')).toBeUndefined();
    expect(parseDiscordWebhookUrl(`https://discord.com/api/webhooks/abc/${WEBHOOK_TOKEN}`)).toBeUndefined();
    expect(parseDiscordWebhookUrl(`https://discord.com/api/webhooks/${WEBHOOK_ID}/../../users/@me`)).toBeUndefined();
    expect(parseDiscordWebhookUrl(`ftp://discord.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`)).toBeUndefined();
  });
});

describe('Discord webhook adapter against the fake', () => {
  let fake: FakeDiscord;
  let adapter: ChatAdapter;
  let logs: ReturnType<typeof captureLogger>;
  const url = `https://discord.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`;

  beforeEach(async () => {
    fake = await startFakeDiscord();
    logs = captureLogger();
    adapter = createDiscordWebhookAdapter({ logger: logs.logger, apiUrl: fake.apiUrl, restOffsetMs: 0 });
  });

  afterEach(async () => {
    await adapter.close();
    await fake.close();
  });

  it('executes the webhook with the rendered embed and allowed_mentions parse []', async () => {
    expect(adapter.kind).toBe('discord-webhook');
    const alert = makeAlert({ topics: ['crypto'], title: '@everyone Bitcoin <@1>' });
    const outcome = await adapter.deliver(channel(url), alert);
    expect(outcome).toMatchObject({ ok: true, ref: expect.stringMatching(/^\d+$/) });
    expect(fake.webhookPosts).toHaveLength(1);
    const [post] = fake.webhookPosts;
    expect(post).toMatchObject({ method: 'POST', webhookId: WEBHOOK_ID, token: WEBHOOK_TOKEN, rest: '' });
    expect(post?.query.get('wait')).toBe('true');
    expect(post?.body['allowed_mentions']).toEqual({ parse: [] });
    expect(post?.body['embeds']).toEqual(renderDiscordAlert(alert).embeds);
  });

  it('waits out a short 429 and maps Unknown Channel to rejected', async () => {
    fake.failNext(1, { kind: 'rate_limit', retryAfterSec: 0.05 }, 'webhook');
    expect((await adapter.deliver(channel(url), makeAlert())).ok).toBe(true);
    fake.failNext(1, { kind: 'unknown_channel' }, 'webhook');
    expect(await adapter.deliver(channel(url), makeAlert())).toMatchObject({ ok: false, reason: 'rejected', retryable: false });
    expect(logs.text()).not.toContain(WEBHOOK_TOKEN);
  });

  it('rejects a channel without a usable webhook URL without calling Discord', async () => {
    expect(await adapter.deliver(channel(undefined), makeAlert())).toMatchObject({ ok: false, reason: 'rejected', retryable: false });
    expect(await adapter.deliver(channel('https://example.com/hook'), makeAlert())).toMatchObject({ ok: false, reason: 'rejected' });
    expect(fake.requests).toHaveLength(0);
  });
});
