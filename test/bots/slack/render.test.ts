import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/domain.js';
import type { CommandReply } from '../../../src/bots/chat-adapter.js';
import { escapeMrkdwn, renderSlackAlert, renderSlackReply, slackLink, withOutlets } from '../../../src/bots/slack/render.js';
import { truncate } from '../../../src/bots/text.js';

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    channel: 'slack:C123',
    title: 'Nvidia unveils a new accelerator',
    url: 'https://example.com/news/1?a=1&b=2',
    source: 'Example News',
    sourceId: 'example',
    published: '2024-05-01T14:03:00Z',
    topics: ['ai-chips'],
    matched: ['nvidia'],
    summary: 'The chip ships next year.',
    ...overrides,
  };
}

type Block = { type: string; text?: { type: string; text: string }; elements?: { type: string; text?: unknown; url?: string }[] };

describe('escapeMrkdwn', () => {
  it('escapes & first, then < and >', () => {
    expect(escapeMrkdwn('<!channel> @everyone Nvidia & co <script>')).toBe('&lt;!channel&gt; @everyone Nvidia &amp; co &lt;script&gt;');
    expect(escapeMrkdwn('&lt;')).toBe('&amp;lt;');
  });
});

describe('slackLink', () => {
  it('links http(s) URLs with an escaped label', () => {
    expect(slackLink('https://example.com/a', 'A & <b>')).toBe('<https://example.com/a|A &amp; &lt;b&gt;>');
  });
  it('makes | and > in the URL harmless', () => {
    const link = slackLink('https://example.com/a|b>c?x=<y>', 'label');
    expect(link).toBe('<https://example.com/a%7Cb%3Ec?x=%3Cy%3E|label>');
  });
  it('never links javascript:, relative or missing URLs', () => {
    expect(slackLink('javascript:alert(1)', 'click <me>')).toBe('click &lt;me&gt;');
    expect(slackLink('/relative', 'x')).toBe('x');
    expect(slackLink(undefined, 'x')).toBe('x');
  });
});

describe('truncate', () => {
  it('leaves short text alone and cuts long text with an ellipsis within max', () => {
    expect(truncate('short', 10)).toBe('short');
    const cut = truncate('abcdefghij', 5);
    expect(cut).toBe('abcd…');
    expect(cut.length).toBeLessThanOrEqual(5);
  });
  it('never splits a grapheme (emoji with modifiers, flags)', () => {
    const family = '👨‍👩‍👧‍👦'; // 11 UTF-16 units, one grapheme
    const text = `ab${family}cd`;
    expect(truncate(text, 10)).toBe('ab…');
    expect(truncate(text, 14)).toBe(`ab${family}…`);
    expect(truncate('🇫🇷🇫🇷🇫🇷', 5)).toBe('🇫🇷…');
  });
});

describe('renderSlackAlert', () => {
  it('renders header, summary, context and an Open button', () => {
    const { text, blocks } = renderSlackAlert(alert());
    expect(text).toBe('Nvidia unveils a new accelerator');
    const [header, section, context, actions] = blocks as Block[];
    expect(header).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Nvidia unveils a new accelerator', emoji: true } });
    expect(section?.text).toEqual({ type: 'mrkdwn', text: 'The chip ships next year.' });
    expect(context?.elements?.[0]?.text).toBe('Example News · 2024-05-01 14:03 UTC · ai-chips · matched: nvidia');
    expect(actions?.type).toBe('actions');
    expect(actions?.elements?.[0]?.url).toBe('https://example.com/news/1?a=1&b=2');
    expect(blocks).toHaveLength(4);
  });

  it('escapes hostile text everywhere so that nobody is pinged', () => {
    const hostile = '<!channel> @everyone Nvidia & co <script> <@U123> <#C1>';
    const rendered = renderSlackAlert(
      alert({ title: hostile, summary: hostile, source: '<!here>', matched: ['<!subteam^S1>'], published: '<!date^1^x|y>' }),
    );
    const json = JSON.stringify(rendered);
    expect(json).not.toContain('<!');
    expect(json).not.toContain('<@');
    expect(json).not.toContain('<#');
    expect(rendered.text).toBe('&lt;!channel&gt; @everyone Nvidia &amp; co &lt;script&gt; &lt;@U123&gt; &lt;#C1&gt;');
    const header = rendered.blocks[0] as Block;
    expect(header.text?.text).toContain('&lt;!channel&gt;');
  });

  it('cuts a long title to 150 characters on a grapheme boundary', () => {
    const title = `${'x'.repeat(148)}😀😀😀`;
    const { blocks } = renderSlackAlert(alert({ title }));
    const header = (blocks[0] as Block).text?.text ?? '';
    expect(header.length).toBeLessThanOrEqual(150);
    // 148 + 2 (one emoji) would leave no room for the ellipsis: the emoji goes whole, not half.
    expect(header).toBe(`${'x'.repeat(148)}…`);
    const shorter = (renderSlackAlert(alert({ title: `${'x'.repeat(147)}😀😀😀` })).blocks[0] as Block).text?.text;
    expect(shorter).toBe(`${'x'.repeat(147)}😀…`);
    expect(shorter).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('never cuts an escape sequence in half', () => {
    const { blocks } = renderSlackAlert(alert({ title: '&'.repeat(200) }));
    const header = (blocks[0] as Block).text?.text ?? '';
    expect(header.length).toBeLessThanOrEqual(150);
    expect(header).toMatch(/^(&amp;)+…$/);
  });

  it('keeps a title whose escaped form is exactly the limit whole, and cuts one character more', () => {
    const header = (title: string) => ((renderSlackAlert(alert({ title })).blocks[0] as Block).text?.text ?? '');
    expect(header(`${'a'.repeat(145)}&`)).toBe(`${'a'.repeat(145)}&amp;`);
    expect(header(`${'a'.repeat(146)}&`)).toBe(`${'a'.repeat(146)}…`);
    expect(header(`👩🏽‍🚀${'b'.repeat(135)}<`)).toBe(`👩🏽‍🚀${'b'.repeat(135)}&lt;`);
  });

  it('keeps the summary within 3000 characters', () => {
    const { blocks } = renderSlackAlert(alert({ summary: '<'.repeat(5000) }));
    const section = (blocks[1] as Block).text?.text ?? '';
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section.endsWith('&lt;…')).toBe(true);
  });

  it('adds the Open button only for http(s) URLs', () => {
    for (const url of ['javascript:alert(1)', 'ftp://example.com/x', 'not a url', undefined]) {
      const { blocks } = renderSlackAlert(alert({ url }));
      expect(blocks.some((b) => b.type === 'actions')).toBe(false);
      expect(JSON.stringify(blocks)).not.toContain('javascript:');
    }
    const { blocks } = renderSlackAlert(alert({ url: 'http://example.com/' }));
    expect(blocks.some((b) => b.type === 'actions')).toBe(true);
  });

  it('omits an empty summary and still has a header for an empty title', () => {
    const { blocks } = renderSlackAlert(alert({ summary: '', title: '  ' }));
    expect(blocks.map((b) => b.type)).toEqual(['header', 'context', 'actions']);
    expect((blocks[0] as Block).text?.text).toBe('(untitled)');
  });
});

describe('renderSlackReply', () => {
  const reply = (overrides: Partial<CommandReply> = {}): CommandReply => ({
    ok: true,
    text: 'Watching <nvidia> & co',
    lines: [],
    ephemeral: true,
    ...overrides,
  });

  it('renders text and lines, escaped, with links and meta', () => {
    const rendered = renderSlackReply(
      reply({
        ephemeral: false,
        lines: [
          { text: 'Chip <news>', url: 'https://example.com/1', meta: 'Example · 2h' },
          { text: '<!channel> no link', url: 'javascript:alert(1)' },
        ],
      }),
    );
    expect(rendered.response_type).toBe('in_channel');
    expect(rendered.text).toBe('Watching &lt;nvidia&gt; &amp; co');
    const texts = rendered.blocks.map((b) => (b as Block).text?.text);
    expect(texts[0]).toBe('Watching &lt;nvidia&gt; &amp; co');
    expect(texts[1]).toBe('• <https://example.com/1|Chip &lt;news&gt;> _Example · 2h_\n• &lt;!channel&gt; no link');
    expect(JSON.stringify(rendered)).not.toContain('<!');
    expect(JSON.stringify(rendered)).not.toContain('javascript:');
  });

  it('is ephemeral when asked', () => {
    expect(renderSlackReply(reply()).response_type).toBe('ephemeral');
  });

  it('stays within 50 blocks and 3000 characters per section', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => ({ text: `headline ${i} ${'y'.repeat(200)}`, url: `https://example.com/${i}` }));
    const rendered = renderSlackReply(reply({ lines }));
    expect(rendered.blocks.length).toBeLessThanOrEqual(50);
    for (const block of rendered.blocks as Block[]) {
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    }
    const last = rendered.blocks.at(-1) as Block;
    expect(last.type).toBe('context');
    expect(JSON.stringify(last.elements)).toMatch(/and \d+ more/);
  });

  it('shortens a single line longer than a section', () => {
    const rendered = renderSlackReply(reply({ text: '', lines: [{ text: 'z'.repeat(5000), url: 'https://example.com/' }] }));
    const section = (rendered.blocks[0] as Block).text?.text ?? '';
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section.endsWith('…')).toBe(true);
  });
});

describe('renderSlackAlert: story details and languages', () => {
  it('puts highlights in the context line and marks a breaking story in the header', () => {
    const { text, blocks } = renderSlackAlert(alert({ highlights: ['$100 billion', '10 GW'], breaking: true }));
    expect((blocks[0] as Block).text?.text).toBe('🔴 BREAKING · Nvidia unveils a new accelerator');
    expect(text).toBe('🔴 BREAKING · Nvidia unveils a new accelerator');
    const context = blocks.find((b) => b.type === 'context') as Block;
    expect(context.elements?.[0]?.text).toBe('Example News · 2024-05-01 14:03 UTC · ai-chips · matched: nvidia · highlights: $100 billion, 10 GW');
  });

  it('keeps a breaking header within 150 characters', () => {
    const header = (renderSlackAlert(alert({ title: 'z'.repeat(400), breaking: true })).blocks[0] as Block).text?.text ?? '';
    expect(header.length).toBeLessThanOrEqual(150);
    expect(header.startsWith('🔴 BREAKING · zzz')).toBe(true);
  });

  it('labels in French', () => {
    const { blocks } = renderSlackAlert(alert({ lang: 'fr', breaking: true, highlights: ['−7,2 %'], reportedBy: ['Example News', 'Le Monde'] }));
    expect((blocks[0] as Block).text?.text).toBe('🔴 À LA UNE · Nvidia unveils a new accelerator');
    const contexts = blocks.filter((b) => b.type === 'context').map((b) => (b as Block).elements?.[0]?.text);
    expect(contexts).toEqual([
      'Example News · 2024-05-01 14:03 UTC · ai-chips · termes\u00a0: nvidia · chiffres clés\u00a0: −7,2 %',
      'aussi rapporté par 1 média\u00a0: Le Monde',
    ]);
    const actions = blocks.find((b) => b.type === 'actions') as { elements: Array<{ text: { text: string } }> };
    expect(actions.elements[0]?.text.text).toBe('Ouvrir');
  });

  it('escapes highlights and outlet names', () => {
    const json = JSON.stringify(renderSlackAlert(alert({ highlights: ['<!here>'], reportedBy: ['A', '<!channel>'] })));
    expect(json).not.toContain('<!');
  });
});

describe('withOutlets', () => {
  it('adds the outlets line before the button, replaces an earlier one, keeps the rest', () => {
    const { blocks } = renderSlackAlert(alert());
    const once = withOutlets(blocks, alert({ reportedBy: ['Example News', 'Reuters'] }));
    expect(once.map((b) => b.type)).toEqual(['header', 'section', 'context', 'context', 'actions']);
    const twice = withOutlets(once, alert({ reportedBy: ['Example News', 'Reuters', 'AP', 'Reuters'] }));
    expect(twice).toHaveLength(5);
    expect((twice[3] as Block).elements?.[0]?.text).toBe('also reported by 2 outlets: Reuters, AP');
    expect(twice.slice(0, 3)).toEqual(blocks.slice(0, 3));
  });

  it('lists ten outlets and counts the rest', () => {
    const names = Array.from({ length: 15 }, (_, i) => `Outlet ${i}`);
    const out = withOutlets([], alert({ reportedBy: ['First', ...names] }));
    expect((out[0] as Block).elements?.[0]?.text).toBe(`also reported by 15 outlets: ${names.slice(0, 10).join(', ')} …and 5 more`);
  });

  it('counts every outlet of a story whose alert names only the first ones', () => {
    const names = Array.from({ length: 19 }, (_, i) => `Outlet ${i}`);
    const out = withOutlets([], alert({ reportedBy: ['First', ...names], reportedByCount: 340 }));
    expect((out[0] as Block).elements?.[0]?.text).toBe(`also reported by 339 outlets: ${names.slice(0, 10).join(', ')} …and 329 more`);
  });
});
