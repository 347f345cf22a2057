import { describe, expect, it } from 'vitest';
import { escapeDiscordText, renderDiscordAlert, renderDiscordReply, TOPIC_COLOURS, withOutletsEmbed } from '../../../src/bots/discord/render.js';
import type { APIEmbed } from 'discord.js';
import { makeAlert } from './helpers.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function embedOf(alert = makeAlert()): APIEmbed {
  const { embeds } = renderDiscordAlert(alert);
  expect(embeds).toHaveLength(1);
  return embeds[0] as APIEmbed;
}

function embedTotal(embed: APIEmbed): number {
  return (
    (embed.title ?? '').length +
    (embed.description ?? '').length +
    (embed.footer?.text ?? '').length +
    (embed.author?.name ?? '').length +
    (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/** Every string of the embed, for "is this anywhere" checks. */
function allText(embed: APIEmbed): string {
  return [embed.title, embed.description, ...(embed.fields ?? []).flatMap((f) => [f.name, f.value])].join('\n');
}

describe('escapeDiscordText', () => {
  it('escapes formatting, masked links and mentions', () => {
    expect(escapeDiscordText('**bold**')).toBe('\\*\\*bold\\*\\*');
    expect(escapeDiscordText('[x](http://evil)')).toBe('\\[x\\](http://evil)');
    expect(escapeDiscordText('<@123> <#456> <@&789>')).toBe('\\<@123> \\<#456> \\<@&789>');
    expect(escapeDiscordText('@everyone and @here')).toBe('@\u200beveryone and @\u200bhere');
    expect(escapeDiscordText('# heading')).toBe('\\# heading');
    expect(escapeDiscordText('> quote')).toBe('\\> quote');
    expect(escapeDiscordText('a \\ b')).toBe('a \\\\ b');
    expect(escapeDiscordText('-# small')).toBe('\\-# small');
    expect(escapeDiscordText('1. first')).toBe('1\\. first');
  });

  it('escapes every formatting character of a run (escapeMarkdown alone leaves some)', () => {
    expect(escapeDiscordText('****a****')).toBe('\\*\\*\\*\\*a\\*\\*\\*\\*');
    expect(escapeDiscordText('~~~a~~~ ||s|| `c` __u__')).toBe('\\~\\~\\~a\\~\\~\\~ \\|\\|s\\|\\| \\`c\\` \\_\\_u\\_\\_');
  });

  it('leaves bare URLs intact so they still link', () => {
    expect(escapeDiscordText('see https://example.com/a_b*c_d now_')).toBe('see https://example.com/a_b*c_d now\\_');
  });
});

describe('renderDiscordAlert', () => {
  it('renders one embed with title, link, summary, topic colour, fields, footer and timestamp', () => {
    const message = renderDiscordAlert(makeAlert());
    expect(message.allowed_mentions).toEqual({ parse: [] });
    const embed = embedOf();
    expect(embed).toMatchObject({
      title: 'Nvidia unveils a new AI chip',
      url: 'https://example.com/nvidia',
      description: 'The company said the chip doubles throughput.',
      color: TOPIC_COLOURS['ai-chips'],
      footer: { text: 'wirewatch' },
      timestamp: '2025-01-02T03:04:05.000Z',
    });
    expect(embed.fields?.map((f) => [f.name, f.value])).toEqual([
      ['Source', 'Example News'],
      ['Topics', 'ai-chips'],
      ['Matched', 'nvidia, ai chip'],
    ]);
  });

  it('colours by topic: crypto orange, both or neither neutral', () => {
    expect(embedOf(makeAlert({ topics: ['crypto'] })).color).toBe(TOPIC_COLOURS.crypto);
    expect(embedOf(makeAlert({ topics: ['ai-chips', 'crypto'] })).color).toBe(TOPIC_COLOURS.neutral);
    expect(embedOf(makeAlert({ topics: [] })).color).toBe(TOPIC_COLOURS.neutral);
  });

  it('escapes markdown and mentions in every feed-derived string', () => {
    const hostile = '<!channel> @everyone <@123> **bold** [x](http://evil) Nvidia';
    const embed = embedOf(makeAlert({ title: hostile, summary: hostile, source: hostile, matched: ['@here', '<@&1>'] }));
    const text = allText(embed);
    expect(text).not.toMatch(/@everyone|@here/);
    expect(text).not.toMatch(/(^|[^\\])<@/);
    expect(text).not.toMatch(/(^|[^\\])\*\*/);
    expect(text).not.toMatch(/(^|[^\\])\[x/);
    expect(embed.title).toBe('\\<!channel> @\u200beveryone \\<@123> \\*\\*bold\\*\\* \\[x\\](http://evil) Nvidia');
    expect(renderDiscordAlert(makeAlert({ title: hostile })).allowed_mentions).toEqual({ parse: [] });
  });

  it('drops a javascript: or malformed url and omits an unknown timestamp', () => {
    const embed = embedOf(makeAlert({ url: 'javascript:alert(1)', published: 'yesterday' }));
    expect(embed).not.toHaveProperty('url');
    expect(embed).not.toHaveProperty('timestamp');
    expect(embedOf(makeAlert({ url: 'not a url' }))).not.toHaveProperty('url');
    expect(embedOf(makeAlert({ url: undefined, published: undefined }))).not.toHaveProperty('url');
  });

  it('keeps a huge alert within every embed limit', () => {
    const embed = embedOf(
      makeAlert({
        title: 'T'.repeat(1000),
        summary: '*'.repeat(10_000),
        source: 'S'.repeat(5000),
        matched: Array.from({ length: 500 }, (_, i) => `term${i}`),
      }),
    );
    expect(embed.title?.length).toBeLessThanOrEqual(256);
    expect(embed.title?.endsWith('…')).toBe(true);
    expect(embed.description?.length).toBeLessThanOrEqual(4096);
    expect(embed.fields?.length).toBeLessThanOrEqual(25);
    for (const field of embed.fields ?? []) expect(field.value.length).toBeLessThanOrEqual(1024);
    expect(embedTotal(embed)).toBeLessThanOrEqual(6000);
    // The cut happens before escaping: no dangling backslash before the ellipsis.
    expect(embed.description).toMatch(/^(\\\*)+…$/);
  });

  it('never cuts an emoji in half', () => {
    const family = '👨‍👩‍👧';
    const embed = embedOf(makeAlert({ title: family.repeat(100), summary: '🚀'.repeat(5000) }));
    for (const text of [embed.title ?? '', embed.description ?? '']) {
      expect(text).not.toMatch(LONE_SURROGATE);
      expect(text.endsWith('…')).toBe(true);
    }
    const titleGraphemes = [...segmenter.segment(embed.title ?? '')].map((s) => s.segment);
    expect(new Set(titleGraphemes.slice(0, -1))).toEqual(new Set([family]));
  });
});

describe('renderDiscordReply', () => {
  it('renders text and linked lines with escaped text and italic meta', () => {
    const reply = renderDiscordReply({
      ok: true,
      text: 'Recent news for **nvidia**',
      lines: [
        { text: 'Nvidia [beats] @everyone', url: 'https://example.com/a(1)', meta: 'Example · 2h' },
        { text: 'No link <@1>', url: 'javascript:alert(1)' },
      ],
      ephemeral: false,
    });
    expect(reply.allowed_mentions).toEqual({ parse: [] });
    expect(reply).not.toHaveProperty('flags');
    expect(reply.content).toBe(
      [
        'Recent news for \\*\\*nvidia\\*\\*',
        '- [Nvidia \\[beats\\] @\u200beveryone](<https://example.com/a%281%29>) _Example · 2h_',
        '- No link \\<@1>',
      ].join('\n'),
    );
  });

  it('sets the ephemeral flag (64) when asked', () => {
    const reply = renderDiscordReply({ ok: true, text: 'hi', lines: [], ephemeral: true });
    expect(reply.flags).toBe(64);
  });

  it('stays within 2000 characters and says how many lines were left out', () => {
    const lines = Array.from({ length: 100 }, (_, i) => ({ text: `Item ${i} ${'x'.repeat(80)}`, url: `https://example.com/${i}` }));
    const reply = renderDiscordReply({ ok: true, text: 'Results', lines, ephemeral: false });
    expect(reply.content.length).toBeLessThanOrEqual(2000);
    const shown = reply.content.split('\n').filter((l) => l.startsWith('- ')).length;
    expect(shown).toBeGreaterThan(0);
    expect(reply.content.endsWith(`…and ${100 - shown} more`)).toBe(true);

    const huge = renderDiscordReply({ ok: false, text: '🚀'.repeat(3000), lines: [], ephemeral: true });
    expect(huge.content.length).toBeLessThanOrEqual(2000);
    expect(huge.content).not.toMatch(LONE_SURROGATE);
  });
});

describe('renderDiscordAlert: story details and languages', () => {
  it('adds a Highlights field and marks a breaking story in the title', () => {
    const embed = embedOf(makeAlert({ highlights: ['$100 billion', '10 GW'], breaking: true }));
    expect(embed.title).toBe('🔴 BREAKING · Nvidia unveils a new AI chip');
    expect(embed.fields?.map((f) => [f.name, f.value])).toEqual([
      ['Source', 'Example News'],
      ['Topics', 'ai-chips'],
      ['Matched', 'nvidia, ai chip'],
      ['Highlights', '$100 billion, 10 GW'],
    ]);
  });

  it('labels in French', () => {
    const embed = embedOf(makeAlert({ lang: 'fr', breaking: true, highlights: ['−7,2 %'], reportedBy: ['Example News', 'Le Monde'] }));
    expect(embed.title?.startsWith('🔴 À LA UNE · ')).toBe(true);
    expect(embed.fields?.map((f) => f.name)).toEqual(['Source', 'Sujets', 'Termes', 'Chiffres clés', 'Aussi rapporté par (1)']);
  });

  it('stays within 256 for a breaking title and 6000 in all with long highlights and outlets', () => {
    const outlets = Array.from({ length: 40 }, (_, i) => `Outlet ${'o'.repeat(90)} ${i}`);
    const embed = embedOf(
      makeAlert({ title: 'T'.repeat(1000), breaking: true, summary: 's'.repeat(9000), highlights: Array.from({ length: 300 }, () => '$1 billion'), reportedBy: outlets }),
    );
    expect(embed.title?.length).toBeLessThanOrEqual(256);
    expect(embedTotal(embed)).toBeLessThanOrEqual(6000);
    for (const f of embed.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(1024);
  });
});

describe('withOutletsEmbed', () => {
  it('keeps only what may be sent back and trims the description to stay within 6000', () => {
    const posted = { ...embedOf(makeAlert({ summary: 'd'.repeat(4000) })), type: 'rich', video: { url: 'x' } } as APIEmbed;
    posted.fields = [...(posted.fields ?? []), ...Array.from({ length: 2 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(1000) }))];
    const outlets = Array.from({ length: 12 }, (_, i) => `Outlet ${'n'.repeat(70)} ${i}`);
    const next = withOutletsEmbed(posted, makeAlert({ reportedBy: ['First', ...outlets] }));
    expect(next).not.toHaveProperty('type');
    expect(next).not.toHaveProperty('video');
    expect(embedTotal(next)).toBeLessThanOrEqual(6000);
    expect(next.fields?.at(-1)?.name).toBe('Also reported by (12)');
    expect(next.fields?.at(-1)?.value).toMatch(/…and 2 more$/);
    expect(next.title).toBe(posted.title);
  });

  it('counts every outlet of a story whose alert names only the first ones', () => {
    const outlets = Array.from({ length: 19 }, (_, i) => `Outlet ${i}`);
    const next = withOutletsEmbed(embedOf(makeAlert({})), makeAlert({ reportedBy: ['First', ...outlets], reportedByCount: 340 }));
    expect(next.fields?.at(-1)?.name).toBe('Also reported by (339)');
    expect(next.fields?.at(-1)?.value).toMatch(/^Outlet 0, .*Outlet 9 …and 329 more$/);
  });
});
