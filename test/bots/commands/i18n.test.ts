import { describe, expect, it } from 'vitest';
import { LANGS, type Lang } from '../../../src/domain.js';
import { MESSAGES, translate, type MessageKey } from '../../../src/bots/i18n.js';
import type { CommandName, CommandReply } from '../../../src/bots/chat-adapter.js';
import { configSource, fakeMarket, feedServer, NOW, setup, shown, testFetcher } from './helpers.js';

const placeholders = (template: string) => [...template.matchAll(/\{(\w+)(?:\|[^}]*)?\}/g)].map((m) => m[1]).sort();
const keys = (lang: Lang) => Object.keys(MESSAGES[lang]).sort();
/** Keys whose text is a command line, the same in every language. */
const SAME_EVERYWHERE = (key: string) => key.endsWith('.example');

describe('reply strings', () => {
  it('every key exists, non-empty, in both languages, with the same placeholders', () => {
    expect(keys('fr')).toEqual(keys('en'));
    for (const lang of LANGS) {
      for (const key of keys('en') as MessageKey[]) {
        expect(MESSAGES[lang][key].trim(), `${lang} ${key}`).not.toBe('');
        expect(new Set(placeholders(MESSAGES[lang][key])), `${lang} ${key}`).toEqual(new Set(placeholders(MESSAGES.en[key])));
      }
    }
  });

  it('French never falls back to the English text', () => {
    const same = (keys('en') as MessageKey[]).filter((key) => !SAME_EVERYWHERE(key) && MESSAGES.fr[key] === MESSAGES.en[key]);
    expect(same).toEqual([]);
  });

  it('fills placeholders and picks plural forms by each language\'s rules', () => {
    expect(translate('en', 'status.backlog', { n: 0 })).toBe('Delivery backlog: 0 alerts.');
    expect(translate('en', 'status.backlog', { n: 1 })).toBe('Delivery backlog: 1 alert.');
    expect(translate('fr', 'status.backlog', { n: 0 })).toBe('File de livraison : 0 alerte.');
    expect(translate('fr', 'status.backlog', { n: 2 })).toBe('File de livraison : 2 alertes.');
    expect(translate('fr', 'news.latestHere', { n: 1 })).toMatch(/^La dernière actualité signalée dans ce salon/);
    expect(translate('fr', 'news.latestHere', { n: 4 })).toMatch(/^Les 4 dernières actualités signalées dans ce salon/);
    expect(translate('en', 'watch.cleared', { n: 3 })).toBe('Removed 3 chat-added terms (terms from the config file stay).');
  });
});

/** Runs every command, on success and failure paths, in a channel set to `lang`; answers every reply. */
async function scenario(lang: Lang): Promise<CommandReply[]> {
  const feeds = await feedServer();
  const market = await fakeMarket();
  const { store, run } = setup({ sources: [configSource('reuters')], market: { provider: 'binance', baseUrl: market.origin } });
  await store.setChannelSettings('slack:C1', { ...(await store.getChannelSettings('slack:C1')), lang });
  await store.addRecentAlerts([
    { title: 'Nvidia story', url: 'https://e.org/1', source: 'Wire', sourceId: 'wire', published: NOW.toISOString(), topics: ['ai-chips'], alertedAt: NOW.toISOString(), channels: ['slack:C1'] },
  ]);
  await store.setFetchState('reuters', { ...(await store.getFetchState('reuters')), health: 'failing', failures: 2, lastFetchAt: NOW.toISOString() });
  const strict = setup({ store, fetcher: testFetcher(true) });
  const calls: Array<[CommandName, string, boolean?]> = [
    ['watch', 'add nvidia topic:crypto'],
    ['watch', 'add nvidia'],
    ['watch', 'add "oops'],
    ['watch', 'list'],
    ['watch', 'remove nvidia'],
    ['watch', 'remove nvidia'],
    ['watch', 'remove'],
    ['watch', 'clear'],
    ['watch', 'clear'],
    ['watch', 'frob'],
    ['watch', 'add x', false],
    ['source', `add ${feeds.origin}/feed.xml`],
    ['source', `add ${feeds.origin}/feed.xml`],
    ['source', `add ${feeds.origin}/page.html`],
    ['source', `add ${feeds.origin}/other.xml 1s`],
    ['source', `add ${feeds.origin}/other.xml 90m`],
    ['source', 'add notaurl'],
    ['source', 'list'],
    ['source', `test ${feeds.origin}/feed.xml`],
    ['source', `test ${feeds.origin}/page.html`],
    ['source', 'remove reuters'],
    ['source', 'remove nope'],
    ['source', 'remove chip-wire-daily'],
    ['source', 'add x', false],
    ['news', 'nvidia'],
    ['news', ''],
    ['news', 'solana'],
    ['news', 'since:1y'],
    ['alerts', ''],
    ['alerts', 'pause'],
    ['alerts', 'resume'],
    ['alerts', 'digest 1h'],
    ['alerts', 'digest daily'],
    ['alerts', 'digest off'],
    ['alerts', 'digest 2h'],
    ['alerts', 'quiet 22:00-07:00 Europe/Paris'],
    ['alerts', 'quiet 22:00-22:00'],
    ['alerts', 'quiet 22:00-07:00 Nowhere/Land'],
    ['alerts', 'quiet off'],
    ['alerts', 'cap 10/h'],
    ['alerts', 'cap 0'],
    ['alerts', 'cap off'],
    ['alerts', 'breaking on'],
    ['alerts', 'breaking off'],
    ['alerts', 'breaking maybe'],
    ['alerts', 'lang xx'],
    ['alerts', ''],
    ['alerts', 'pause', false],
    ['price', 'XRP'],
    ['price', 'NOPE'],
    ['price', 'DOWN'],
    ['price', ''],
    ['status', ''],
    ['status', 'x'],
    ['wirewatch', 'help'],
    ['wirewatch', 'x'],
  ];
  const replies: CommandReply[] = [];
  for (const [name, args, canManage = true] of calls) replies.push(await run(name, args, { canManage }));
  replies.push(await strict.run('source', `add ${feeds.origin}/feed.xml`));
  replies.push(await run('watch', `add ${'x'.repeat(2001)}`));
  return replies;
}

/** The fixed English text of the catalog: the parts of each string between placeholders, 12 characters or more. */
function englishFragments(): string[] {
  const fragments = new Set<string>();
  for (const [key, text] of Object.entries(MESSAGES.en)) {
    if (SAME_EVERYWHERE(key)) continue;
    for (const part of text.split(/\{[^}]*\}/)) if (part.trim().length >= 12) fragments.add(part.trim());
  }
  return [...fragments];
}

describe('a channel set to French', () => {
  it('gets every command reply in French, with no English catalog text and no unfilled placeholder', async () => {
    const replies = await scenario('fr');
    const fragments = englishFragments();
    expect(fragments.length).toBeGreaterThan(80);
    for (const reply of replies) {
      const text = shown(reply);
      for (const fragment of fragments) expect(text, `English "${fragment}" in: ${text}`).not.toContain(fragment);
      expect(text).not.toMatch(/\{\w+(\|[^}]*)?\}/);
    }
    const all = replies.map(shown).join('\n');
    expect(all).toMatch(/Désormais surveillé : nvidia, topic:crypto\./);
    expect(all).toMatch(/chip-wire-daily ajoutée \(Chip Wire Daily, 4 articles actuellement\), interrogée toutes les 15m\./);
    expect(all).toMatch(/Non ajoutée : .* — ce n’est pas un flux RSS, Atom, RDF ou JSON/);
    expect(all).toMatch(/Seules les personnes qui peuvent gérer ce salon/);
    expect(all).toMatch(/Utilisation : \/alerts/);
    expect(all).toMatch(/XRP\/USDT 0\.5123 USDT · 1 h : −7\.2 % · 24 h : −9\.8 %/);
    expect(all).toMatch(/1 source : 1 en échec, 0 désactivée\./);
    expect(all).toMatch(/cette adresse n’est pas autorisée/);
    expect(all).toMatch(/Cela fait 2005 caractères ; la limite est 2000\./);
    // Story text is never translated.
    expect(all).toMatch(/Nvidia unveils Blackwell Ultra GPU for AI data centers/);
  });

  it('the same scenario in English leaves no placeholder unfilled', async () => {
    for (const reply of await scenario('en')) expect(shown(reply)).not.toMatch(/\{\w+(\|[^}]*)?\}/);
  });
});
