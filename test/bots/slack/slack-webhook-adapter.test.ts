import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackWebhookAdapter } from '../../../src/bots/slack/slack-webhook-adapter.js';
import type { ChatAdapter } from '../../../src/bots/chat-adapter.js';
import type { Alert, ChannelConfig } from '../../../src/domain.js';
import { createLogger } from '../../../src/log.js';
import { startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';

const alert: Alert = {
  id: 'a1',
  channel: 'slack-webhook:news',
  title: 'Bitcoin <!here> rallies & more',
  url: 'https://example.com/btc',
  source: 'Example',
  sourceId: 'example',
  published: undefined,
  topics: ['crypto'],
  matched: ['bitcoin'],
  summary: '',
};

let fake: FakeSlack;
let adapter: ChatAdapter;
let logLines: string[];

const channelFor = (webhookUrl: string | undefined): ChannelConfig => ({
  id: 'news',
  adapter: 'slack-webhook',
  webhookUrl,
  topics: ['crypto'],
  watch: [],
});

beforeEach(async () => {
  fake = await startFakeSlack();
  logLines = [];
  adapter = createSlackWebhookAdapter({ logger: createLogger({ level: 'debug', destination: { write: (l: string) => void logLines.push(l) } }) });
});

afterEach(async () => {
  await adapter.close();
  await fake.close();
});

describe('Slack webhook adapter', () => {
  it('has kind slack-webhook', () => {
    expect(adapter.kind).toBe('slack-webhook');
  });

  it('posts the rendered alert to the webhook URL', async () => {
    const outcome = await adapter.deliver(channelFor(fake.url('/hooks/T1-B1-secret')), alert);
    expect(outcome).toEqual({ ok: true });
    expect(fake.webhooks).toHaveLength(1);
    const hook = fake.webhooks[0];
    expect(hook?.id).toBe('T1-B1-secret');
    expect(hook?.body).toMatchObject({ text: 'Bitcoin &lt;!here&gt; rallies &amp; more', unfurl_links: false, unfurl_media: false });
    expect(JSON.stringify(hook?.body)).not.toContain('<!');
  });

  it('maps a 429 to rate_limited with the Retry-After, without retrying by itself', async () => {
    fake.failNext({ kind: 'rate_limited', retryAfterSec: 7 }, 1, 'hooks');
    const outcome = await adapter.deliver(channelFor(fake.url('/hooks/x')), alert);
    expect(outcome).toMatchObject({ ok: false, reason: 'rate_limited', retryAfterMs: 7000 });
    expect(fake.webhooks).toHaveLength(0);
  });

  it('maps a 429 without Retry-After to rate_limited with a default wait', async () => {
    fake.failNext({ kind: 'rate_limited', retryAfterSec: null }, 1, 'hooks');
    const outcome = await adapter.deliver(channelFor(fake.url('/hooks/x')), alert);
    expect(outcome).toMatchObject({ ok: false, reason: 'rate_limited' });
    if (!outcome.ok && outcome.reason === 'rate_limited') expect(outcome.retryAfterMs).toBeGreaterThan(0);
  });

  it('maps a Slack refusal to rejected and a 5xx to unavailable', async () => {
    fake.failNext({ kind: 'error', error: 'channel_not_found' }, 1, 'hooks');
    expect(await adapter.deliver(channelFor(fake.url('/hooks/x')), alert)).toEqual({
      ok: false,
      reason: 'rejected',
      retryable: false,
      message: 'HTTP 404: channel_not_found',
    });
    fake.failNext({ kind: 'status', status: 500 }, 1, 'hooks');
    expect(await adapter.deliver(channelFor(fake.url('/hooks/x')), alert)).toMatchObject({ ok: false, reason: 'unavailable', retryable: true });
  });

  it('rejects a channel without a usable webhook URL and never logs the URL in full', async () => {
    expect(await adapter.deliver(channelFor(undefined), alert)).toMatchObject({ ok: false, reason: 'rejected', retryable: false });
    expect(await adapter.deliver(channelFor('javascript:alert(1)'), alert)).toMatchObject({ ok: false, reason: 'rejected' });
    fake.failNext({ kind: 'status', status: 500 }, 1, 'hooks');
    await adapter.deliver(channelFor(fake.url('/hooks/x?token=sekrit')), alert);
    expect(logLines.join('\n')).not.toContain('sekrit');
    expect(fake.webhooks).toHaveLength(0);
  });
});
