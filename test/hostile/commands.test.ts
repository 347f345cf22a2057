// Slash commands with hostile arguments through the real command core (memory store): 10 KB
// strings, control characters, Slack and Discord mentions, mrkdwn and markdown injection, invalid
// and private URLs, unknown subcommands — for every command and subcommand. Each reply is short
// and has no stack trace; nothing is stored that should not be; the replies as rendered for Slack
// (renderSlackReply) and Discord (renderDiscordReply) carry no live mention and no injected link.
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, type CommandName, type CommandReply } from '../../src/bots/chat-adapter.js';
import { renderDiscordReply } from '../../src/bots/discord/render.js';
import { renderSlackReply } from '../../src/bots/slack/render.js';
import { MAX_TERM_LENGTH } from '../../src/relevance/watchlist.js';
import { createSafeFetcher, DEFAULT_FETCH_POLICY } from '../../src/sources/http/safe-fetch.js';
import { defaultChannelSettings } from '../../src/store/store.js';
import { onCleanup, setup, shown } from '../bots/commands/helpers.js';
import { fakeLookup } from '../sources/http/helpers.js';

const HOSTILE: Array<[label: string, text: string]> = [
  ['10 KB word', 'x'.repeat(10_240)],
  ['10 KB of words', 'nvidia '.repeat(1500)],
  ['10 KB of quotes', '"'.repeat(10_240)],
  ['control characters', '\u0000\u0007\u001b[2J\u0008\u007f\u0085\u009b nvidia \r\n\t'],
  ['bidi and zero-width', '\u202envidia\u202c \u200b\u200d\ufeff amd'],
  ['lone surrogates', '\ud800 \udfff nvidia'],
  ['slack broadcast mentions', '<!channel> <!here> <!everyone> <!subteam^S123|@team>'],
  ['slack user and channel mentions', '<@U1> <@W123|someone> <#C123|general>'],
  ['discord mentions', '@everyone @here <@123456789012345678> <@!1> <@&2> <#3> <t:0:R>'],
  ['escaped mentions', '&lt;!channel&gt; &amp;lt;@U1&amp;gt; \\<@U1\\>'],
  ['mrkdwn injection', '*bold* _it_ ~strike~ `code` ```block``` > quote <https://evil.example|click me>'],
  ['markdown injection', '[click](https://evil.example) [x](<javascript:alert(1)>) # heading ||spoiler|| -# small **b** __u__'],
  ['invalid URLs', 'javascript:alert(1) http:// ftp://x.example/f http://[::1 //evil.example/x http://exa mple.com'],
  ['private URLs', 'http://127.0.0.2/feed http://169.254.169.254/latest/meta-data/ http://localhost.wire.test/ file:///etc/passwd'],
  ['unknown subcommand', 'frobnicate --all'],
  ['prototype keys', '__proto__ constructor prototype toString'],
  ['only spaces', '     '],
];

/** Subcommands per command (the empty string: the bare command). */
const SUBCOMMANDS: Record<CommandName, readonly string[]> = {
  watch: ['', 'add', 'remove', 'list', 'clear'],
  source: ['', 'add', 'remove', 'list', 'test'],
  news: [''],
  alerts: ['', 'pause', 'resume', 'digest', 'quiet', 'cap', 'lang', 'breaking'],
  price: [''],
  status: [''],
  wirewatch: ['', 'help'],
};

const STACK = /\n\s+at |node:internal|\.ts:\d+|\.js:\d+:\d+|Error: /;
/** A live Slack mention or special link: `<!…>`, `<@…>`, `<#…>`, or a user-made `<http…|…>`. */
const SLACK_LIVE = /<[!@#]|<https?:\/\/evil|<javascript:/i;
/** A live Discord mention (not backslash-escaped): `@everyone`/`@here` unbroken, `<@…>`, `<@&…>`, `<#…>`, a timestamp, or a masked link. */
const DISCORD_LIVE = /@(everyone|here)\b|(?<!\\)<@[!&]?\d|(?<!\\)<#\d|(?<!\\)<t:\d|(?<!\\)\]\((<)?(https?:\/\/evil|javascript:)/i;

/** Every text a Slack reply renders (fallback text and every block's text), joined. */
function slackTexts(reply: CommandReply): string {
  const rendered = renderSlackReply(reply);
  return JSON.stringify([rendered.text, rendered.blocks]);
}

describe('slash commands with hostile arguments, for every command and subcommand', () => {
  const strictFetcher = () => {
    // No private address allowed, and no name resolves: nothing leaves the machine.
    const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: [], perHostSpacingMs: 0, timeoutMs: 2000, lookup: fakeLookup({}) });
    onCleanup(() => fetcher.close());
    return fetcher;
  };

  const cases = COMMAND_NAMES.flatMap((name) => SUBCOMMANDS[name].map((sub) => [name, sub] as const));

  it.each(cases)('/%s %s <hostile>: short, clear replies; nothing stored that should not be; no live mention once rendered', async (name, sub) => {
    const { store, run } = setup({ fetcher: strictFetcher() });
    for (const [label, hostile] of HOSTILE) {
      for (const canManage of [true, false]) {
        const args = sub ? `${sub} ${hostile}` : hostile;
        const reply = await run(name, args, { canManage });
        const what = `/${name} ${sub} <${label}> (canManage ${canManage})`;
        const all = shown(reply);
        expect(reply.text.length, what).toBeLessThanOrEqual(700);
        expect(all.length, what).toBeLessThanOrEqual(4000);
        expect(reply.lines.length, what).toBeLessThanOrEqual(50);
        expect(all, what).not.toMatch(STACK);
        // A 10 KB argument is never echoed back whole.
        expect(all.includes('x'.repeat(200)), what).toBe(false);
        expect(slackTexts(reply), what).not.toMatch(SLACK_LIVE);
        const discord = renderDiscordReply(reply);
        expect(discord.allowed_mentions, what).toEqual({ parse: [] });
        expect(discord.content, what).not.toMatch(DISCORD_LIVE);
        expect(discord.content.length, what).toBeLessThanOrEqual(2000);
      }
    }

    // What may be stored: watch terms that are plain, bounded words; nothing else.
    expect(await store.listChatSources()).toEqual([]);
    const terms = await store.getWatchTerms('slack:C1');
    for (const term of terms) {
      expect(term.length, term).toBeLessThanOrEqual(MAX_TERM_LENGTH + 20);
      expect(term, term).not.toMatch(/\p{Cc}|[\u202a-\u202e\u2066-\u2069]/u);
      expect(term, term).not.toMatch(/^<[!@#]|@everyone|@here/);
    }
    if (name !== 'watch') expect(terms).toEqual([]);
    if (name !== 'alerts') expect(await store.getChannelSettings('slack:C1')).toEqual(defaultChannelSettings());
    const settings = await store.getChannelSettings('slack:C1');
    expect(['en', 'fr']).toContain(settings.lang);
    expect(['off', '15m', '1h', 'daily']).toContain(settings.digest);
    expect(await store.recentAlerts(10)).toEqual([]);
    expect(await store.outboxSize()).toBe(0);

    // Whatever was stored, the listing of it renders without a live mention either.
    const listing = await run('watch', 'list');
    expect(slackTexts(listing)).not.toMatch(SLACK_LIVE);
    expect(renderDiscordReply(listing).content).not.toMatch(DISCORD_LIVE);
  });

  it('a user without the right to manage changes nothing, whatever the arguments', async () => {
    const { store, run } = setup({ fetcher: strictFetcher() });
    for (const name of COMMAND_NAMES) {
      for (const sub of SUBCOMMANDS[name]) {
        for (const [, hostile] of HOSTILE) await run(name, `${sub} ${hostile}`, { canManage: false });
        await run(name, `${sub} nvidia`, { canManage: false });
      }
    }
    expect(await store.getWatchTerms('slack:C1')).toEqual([]);
    expect(await store.listChatSources()).toEqual([]);
    expect(await store.getChannelSettings('slack:C1')).toEqual(defaultChannelSettings());
    expect(await store.knownChannels()).toEqual([]);
  });

  it('unknown command names (hostile too) are refused with a short, escaped answer', async () => {
    const { run } = setup({ fetcher: strictFetcher() });
    for (const name of ['nope', '__proto__', 'constructor', '<!channel>', '@everyone', 'x'.repeat(10_000)]) {
      const reply = await run(name as CommandName, 'add nvidia');
      expect(reply.ok).toBe(false);
      expect(reply.text.length).toBeLessThanOrEqual(200);
      expect(slackTexts(reply)).not.toMatch(SLACK_LIVE);
      expect(renderDiscordReply(reply).content).not.toMatch(DISCORD_LIVE);
    }
  });
});
