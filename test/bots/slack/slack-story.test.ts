// Story updates and digests through Bolt's real WebClient against the fake Slack Web API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_LIMITS } from '../../../src/bots/slack/render.js';
import { createSlackBot, type SlackBot, type SlackBotOptions } from '../../../src/bots/slack/slack-adapter.js';
import { createSlackWebhookAdapter } from '../../../src/bots/slack/slack-webhook-adapter.js';
import type { Alert, ChannelConfig } from '../../../src/domain.js';
import { createLogger } from '../../../src/log.js';
import { startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';

const channel: ChannelConfig = { id: 'C123', adapter: 'slack', webhookUrl: undefined, topics: ['ai-chips'], watch: [] };

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    channel: 'slack:C123',
    title: 'Nvidia unveils a new accelerator',
    url: 'https://example.com/nvidia',
    source: 'Reuters',
    sourceId: 'reuters',
    published: '2024-05-01T14:03:00Z',
    topics: ['ai-chips'],
    matched: ['nvidia'],
    summary: 'The chip ships next year.',
    storyId: 's1',
    ...overrides,
  };
}

/** The later report: another outlet, with every outlet so far. */
const later = alert({ id: 'a2', source: 'The <Verge>', title: 'Nvidia & its new chip', url: 'https://verge.example/n', reportedBy: ['Reuters', 'Bloomberg', 'The <Verge>'] });

type Block = { type: string; block_id?: string; text?: { text: string }; elements?: Array<{ text?: string; url?: string }> };

let fake: FakeSlack;
const bots: SlackBot[] = [];

function makeBot(overrides: Partial<SlackBotOptions> = {}): SlackBot {
  const bot = createSlackBot({
    token: 'xoxb-test',
    signingSecret: 'secret',
    port: 0,
    apiUrl: fake.apiUrl,
    logger: createLogger({ level: 'silent' }),
    onCommand: async () => ({ ok: true, text: '', lines: [], ephemeral: true }),
    retry: { retries: 0, minTimeoutMs: 0, maxTimeoutMs: 1 },
    ...overrides,
  });
  bots.push(bot);
  return bot;
}

const contextTexts = (blocks: unknown[] | undefined): string[] =>
  ((blocks ?? []) as Block[]).filter((b) => b.type === 'context').flatMap((b) => (b.elements ?? []).map((e) => e.text ?? ''));

beforeEach(async () => {
  fake = await startFakeSlack();
});

afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.close();
  await fake.close();
});

describe('Slack updateStory', () => {
  it('edits the first message to name the other outlets and replies in its thread', async () => {
    const { adapter } = makeBot();
    const first = await adapter.deliver(channel, alert());
    if (!first.ok || !first.ref) throw new Error('no ts');
    const outcome = await adapter.updateStory(channel, first.ref, later);
    expect(outcome).toEqual({ ok: true, ref: first.ref });

    expect(fake.updates).toHaveLength(1);
    expect(fake.updates[0]).toMatchObject({ channel: 'C123', ts: first.ref });
    const stored = fake.message('C123', first.ref);
    expect(contextTexts(stored?.blocks)).toContain('also reported by 2 outlets: Bloomberg, The &lt;Verge&gt;');
    // The rest of the first alert is untouched, the outlets line sits before the Open button.
    const types = (stored?.blocks as Block[]).map((b) => b.block_id ?? b.type);
    expect(types).toEqual(['header', 'section', 'wirewatch_meta', 'wirewatch_outlets', 'wirewatch_actions']);
    expect(JSON.stringify(stored?.blocks)).toContain('Nvidia unveils a new accelerator');

    const replies = fake.posts.filter((p) => p['thread_ts'] === first.ref);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.['text']).toBe('Also reported by *The &lt;Verge&gt;*: <https://verge.example/n|Nvidia &amp; its new chip>');
    expect(fake.posts).toHaveLength(2);
  });

  it('a second update replaces the outlets line rather than adding one', async () => {
    const { adapter } = makeBot();
    const first = await adapter.deliver(channel, alert());
    if (!first.ok || !first.ref) throw new Error('no ts');
    await adapter.updateStory(channel, first.ref, alert({ id: 'a2', source: 'Bloomberg', reportedBy: ['Reuters', 'Bloomberg'] }));
    await adapter.updateStory(channel, first.ref, later);
    const outlets = (fake.message('C123', first.ref)?.blocks as Block[]).filter((b) => b.block_id === 'wirewatch_outlets');
    expect(outlets).toHaveLength(1);
    expect(contextTexts(outlets)).toEqual(['also reported by 2 outlets: Bloomberg, The &lt;Verge&gt;']);
  });

  it('after a restart reads the first message back from the history', async () => {
    const first = await makeBot().adapter.deliver(channel, alert());
    if (!first.ok || !first.ref) throw new Error('no ts');
    const restarted = makeBot();
    const outcome = await restarted.adapter.updateStory(channel, first.ref, later);
    expect(outcome.ok).toBe(true);
    expect(fake.calls.filter((c) => c.method === 'conversations.history')).toHaveLength(1);
    expect(contextTexts(fake.message('C123', first.ref)?.blocks)).toContain('also reported by 2 outlets: Bloomberg, The &lt;Verge&gt;');
  });

  it('labels the update in French', async () => {
    const { adapter } = makeBot();
    const first = await adapter.deliver(channel, alert({ lang: 'fr' }));
    if (!first.ok || !first.ref) throw new Error('no ts');
    await adapter.updateStory(channel, first.ref, { ...later, lang: 'fr' });
    expect(contextTexts(fake.message('C123', first.ref)?.blocks)).toContain('aussi rapporté par 2 médias\u00a0: Bloomberg, The &lt;Verge&gt;');
    expect(fake.posts.at(-1)?.['text']).toMatch(/^Aussi rapporté par \*The &lt;Verge&gt;\*\u00a0: </);
  });

  it('a deleted first message is a rejection that is not retried, and nothing is posted', async () => {
    const { adapter } = makeBot();
    const first = await adapter.deliver(channel, alert());
    if (!first.ok || !first.ref) throw new Error('no ts');
    fake.deleteMessage('C123', first.ref);
    const restarted = makeBot();
    expect(await restarted.adapter.updateStory(channel, first.ref, later)).toMatchObject({ ok: false, reason: 'rejected', retryable: false });
    expect(await adapter.updateStory(channel, first.ref, later)).toEqual({ ok: false, reason: 'rejected', retryable: false, message: 'message_not_found' });
    expect(fake.posts).toHaveLength(1);
  });

  it('a 429 during the update answers rate_limited with the wait, and posts no reply', async () => {
    const { adapter } = makeBot();
    const first = await adapter.deliver(channel, alert());
    if (!first.ok || !first.ref) throw new Error('no ts');
    fake.failNext({ kind: 'rate_limited', retryAfterSec: null }, 1, 'chat.update');
    const outcome = await adapter.updateStory(channel, first.ref, later);
    expect(outcome).toMatchObject({ ok: false, reason: 'rate_limited' });
    if (!outcome.ok && outcome.reason === 'rate_limited') expect(outcome.retryAfterMs).toBeGreaterThan(0);
    expect(fake.posts).toHaveLength(1);
    // Retried later: one edit, one reply.
    expect((await adapter.updateStory(channel, first.ref, later)).ok).toBe(true);
    expect(fake.updates).toHaveLength(1);
    expect(fake.posts.filter((p) => p['thread_ts'] === first.ref)).toHaveLength(1);
  });

  it('a 429 on the thread reply answers rate_limited after the edit', async () => {
    const { adapter } = makeBot();
    const first = await adapter.deliver(channel, alert());
    if (!first.ok || !first.ref) throw new Error('no ts');
    fake.failNext({ kind: 'rate_limited', retryAfterSec: 0 }, 1);
    expect(await adapter.updateStory(channel, first.ref, later)).toMatchObject({ ok: false, reason: 'rate_limited', retryAfterMs: 0 });
    expect(fake.updates).toHaveLength(1);
  });

  it('without history access still posts the thread reply', async () => {
    const first = await makeBot().adapter.deliver(channel, alert());
    if (!first.ok || !first.ref) throw new Error('no ts');
    fake.failNext({ kind: 'error', error: 'missing_scope' }, 1, 'conversations.history');
    expect(await makeBot().adapter.updateStory(channel, first.ref, later)).toEqual({ ok: true, ref: first.ref });
    expect(fake.updates).toHaveLength(0);
    expect(fake.posts.filter((p) => p['thread_ts'] === first.ref)).toHaveLength(1);
  });

  it('the incoming-webhook adapter posts nothing and answers ok', async () => {
    const webhook = createSlackWebhookAdapter({ logger: createLogger({ level: 'silent' }) });
    const hooked: ChannelConfig = { ...channel, adapter: 'slack-webhook', webhookUrl: fake.url('/hooks/T1') };
    expect(await webhook.updateStory(hooked, '1.2', later)).toEqual({ ok: true });
    expect(fake.webhooks).toHaveLength(0);
  });
});

describe('Slack deliverDigest', () => {
  const many = Array.from({ length: 200 }, (_, i) =>
    alert({ id: `d${i}`, title: `Story ${i} <!channel> & ${'x'.repeat(120)}`, url: `https://example.com/${i}`, source: `Outlet ${i}`, breaking: i === 0 }),
  );

  it('posts 200 alerts as one message within Slack limits, escaped, with the overflow counted and the note', async () => {
    const { adapter } = makeBot();
    const outcome = await adapter.deliverDigest(channel, many, 'en', '3 older alerts were dropped: the digest holds 500');
    expect(outcome).toMatchObject({ ok: true, ref: expect.any(String) });
    expect(fake.posts).toHaveLength(1);
    const blocks = fake.posts[0]?.['blocks'] as Block[];
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'wirewatch digest — 200 stories' } });
    for (const b of blocks) expect((b.text?.text ?? '').length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    const json = JSON.stringify(blocks);
    expect(json).not.toContain('<!');
    const sections = blocks.filter((b) => b.type === 'section').map((b) => b.text?.text ?? '');
    expect(sections[0]).toMatch(/^• 🔴 <https:\/\/example\.com\/0\|Story 0 &lt;!channel&gt; &amp; x+> — Outlet 0 · ai-chips\n/);
    // 200 lines of ~190 characters fit in 50 blocks: all listed, the note last.
    expect(sections.join('\n').split('\n')).toHaveLength(200);
    expect(contextTexts(blocks)).toEqual(['3 older alerts were dropped: the digest holds 500']);
  });

  it('counts what does not fit in 50 blocks', async () => {
    const huge = Array.from({ length: 2000 }, (_, i) => alert({ id: `h${i}`, title: 'y'.repeat(190), url: `https://example.com/${i}` }));
    await makeBot().adapter.deliverDigest(channel, huge, 'en');
    const blocks = fake.posts[0]?.['blocks'] as Block[];
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    const listed = blocks.filter((b) => b.type === 'section').flatMap((b) => (b.text?.text ?? '').split('\n')).length;
    expect(listed).toBeGreaterThan(100);
    expect(contextTexts(blocks)).toEqual([`…and ${2000 - listed} more`]);
  });

  it('labels a digest in French', async () => {
    await makeBot().adapter.deliverDigest(channel, many.slice(0, 12), 'fr', 'retenu pendant les heures calmes');
    const blocks = fake.posts[0]?.['blocks'] as Block[];
    expect(blocks[0]?.text?.text).toBe('wirewatch — résumé, 12 articles');
    expect(fake.posts[0]?.['text']).toBe('wirewatch — résumé, 12 articles');
  });

  it('maps a 429 on the digest to rate_limited', async () => {
    fake.failNext({ kind: 'rate_limited', retryAfterSec: null }, 1);
    expect(await makeBot().adapter.deliverDigest(channel, many.slice(0, 3), 'en')).toMatchObject({ ok: false, reason: 'rate_limited', retryAfterMs: 1000 });
  });

  it('the incoming-webhook adapter posts the digest', async () => {
    const webhook = createSlackWebhookAdapter({ logger: createLogger({ level: 'silent' }) });
    const hooked: ChannelConfig = { ...channel, adapter: 'slack-webhook', webhookUrl: fake.url('/hooks/T1') };
    expect(await webhook.deliverDigest(hooked, many.slice(0, 5), 'en', 'held during quiet hours')).toEqual({ ok: true });
    expect(fake.webhooks).toHaveLength(1);
    expect(JSON.stringify(fake.webhooks[0]?.body)).toContain('wirewatch digest — 5 stories');
    expect(JSON.stringify(fake.webhooks[0]?.body)).toContain('held during quiet hours');
  });
});
