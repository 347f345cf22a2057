// Every reply string of the command core, in English and French. A channel picks its language
// with `/alerts lang`; story text (titles, summaries, source names) is never translated.
// Placeholders: `{name}` is replaced by a parameter; `{n|one|other}` picks the singular or the
// plural form after the number `n`, by the language's plural rules (French: 0 and 1 are singular).
import type { Lang } from '../domain.js';

const en = {
  'common.unknownSub': 'Unknown subcommand "{sub}".',
  'common.unknownCommand': 'Unknown command /{name}. Try /wirewatch help.',
  'common.tooLong': 'That is {n} characters; the limit is {max}.',
  'common.internal': 'wirewatch could not do that right now ({reason}). Try again in a moment.',
  'common.more': '… and {n} more',

  'perm.refused': 'Only people who may manage this channel can change its wirewatch settings.',
  'perm.refusedWhy': 'Only people who may manage this channel can change its wirewatch settings: {hint}.',

  'time.never': 'never',
  'time.justNow': 'just now',
  'time.minutesAgo': '{n} min ago',
  'time.hoursAgo': '{n} h ago',
  'time.daysAgo': '{n} {n|day|days} ago',

  'health.ok': 'ok',
  'health.failing': 'failing',
  'health.disabled': 'disabled',
  'health.off': 'switched off in the config',

  'lang.en': 'English',
  'lang.fr': 'French',

  'digest.15m': 'every 15 minutes',
  'digest.1h': 'every hour',
  'digest.daily': 'once a day',

  'fetch.ssrf_blocked': 'that address is not allowed (private or internal network)',
  'fetch.too_large': 'the response is too large',
  'fetch.timeout': 'the server took too long to answer',
  'fetch.http_status': 'the server answered with an error',
  'fetch.rate_limited': 'the server asked us to slow down',
  'fetch.not_a_feed': 'it is not an RSS, Atom, RDF or JSON feed',
  'fetch.fetch_failed': 'it could not be fetched',

  'watch.usage': 'Usage: /watch add <terms> | /watch remove <term> | /watch list | /watch clear',
  'watch.example': '/watch add nvidia "stargate project" -gaming topic:crypto',
  'watch.nothingToAdd': 'Nothing to add.',
  'watch.badTerms': 'Those terms could not be read: {problems}.',
  'watch.added': 'Now watching: {terms}.',
  'watch.already': 'Already watched: {terms}.',
  'watch.whichTerm': 'Which term?',
  'watch.oneTerm': 'Give exactly one term to remove.',
  'watch.removed': 'Stopped watching {term}.',
  'watch.notWatched': '{term} is not on this channel\'s watchlist (see /watch list).',
  'watch.topics': 'Topics: {topics}',
  'watch.terms': 'Terms: {terms}',
  'watch.fromConfig': 'from the config file',
  'watch.fromChat': 'added in chat',
  'watch.empty': 'This channel watches nothing yet.',
  'watch.listHead': 'This channel receives an alert when an item has one of its topics or matches a term, and matches no -exclusion:',
  'watch.cleared': 'Removed {n} chat-added {n|term|terms} (terms from the config file stay).',
  'watch.clearedNone': 'This channel had no chat-added terms.',

  'source.usage': 'Usage: /source add <url> [every, e.g. 15m] | /source remove <id> | /source list | /source test <url>',
  'source.example': '/source add https://example.com/feed.xml 30m',
  'source.badUrl': '"{url}" is not an http(s) URL.',
  'source.badEvery': '"{every}" is not an interval such as 15m, 30m, 1h or 1d.',
  'source.tooOften': 'Every {every} is too often: this instance polls at most every {min}.',
  'source.duplicateUrl': 'That feed is already polled as {id}.',
  'source.refused': 'Not added: {url} — {reason}.',
  'source.added': 'Added {id} ({title}, {items} {items|item|items} now), polled every {every}. Its first poll only remembers what is already in the feed: newer items will alert.',
  'source.idRace': 'Another source took that name at the same moment; try again.',
  'source.isConfig': '{id} comes from the wirewatch config file; remove it there (only sources added in chat can be removed here).',
  'source.removed': 'Removed {id}; it is no longer polled.',
  'source.unknownId': 'No source added in chat is called {id} (see /source list).',
  'source.none': 'No sources yet.',
  'source.listHead': '{n} {n|source|sources}:',
  'source.fromConfig': 'config file',
  'source.fromChat': 'added in chat',
  'source.every': 'every {every}',
  'source.lastFetch': 'last fetch {when}',
  'source.testFailed': 'Cannot read {url}: {reason}.',
  'source.testHead': '{title} ({format}, {items} {items|item|items}). The newest {shown} and the topics they would get:',
  'source.undated': 'undated',
  'source.topics': 'topics: {topics}',
  'source.noTopic': 'no topic (alerts only on watch terms)',

  'news.usage': 'Usage: /news [query] [since:30m|6h|24h|7d]',
  'news.example': '/news nvidia since:24h',
  'news.badSince': '{since} is not a window such as since:30m, since:6h, since:24h or since:7d (at most 7 days).',
  'news.emptyQuery': 'The query has no letter or digit.',
  'news.none': 'No recent story matches "{query}".',
  'news.noneHere': 'No story was alerted in this channel recently.',
  'news.found': '{n} recent {n|story|stories} matching "{query}", newest first:',
  'news.latestHere': 'The latest {n} {n|story|stories} alerted in this channel, newest first:',
  'news.oneSource': '1 source',
  'news.sources': '{n} sources',

  'alerts.usage':
    'Usage: /alerts | /alerts pause | resume | digest <15m|1h|daily|off> | quiet <22:00-07:00> [time zone] | quiet off | cap <n>/h | cap off | lang <en|fr> | breaking <on|off>',
  'alerts.example': '/alerts quiet 22:00-07:00 Europe/Paris',
  'alerts.head': 'Alert settings of this channel:',
  'alerts.statePaused': 'Paused: alerts are held until /alerts resume.',
  'alerts.stateActive': 'Active.',
  'alerts.digestOff': 'Digest: off (one message per story).',
  'alerts.digestOn': 'Digest: one message {every}.',
  'alerts.quietOff': 'Quiet hours: none.',
  'alerts.quietOn': 'Quiet hours: {start}–{end} ({tz}).',
  'alerts.capOff': 'Cap: none.',
  'alerts.capOn': 'Cap: {n} {n|message|messages} per hour; the overflow goes into the next digest.',
  'alerts.langIs': 'Language: {lang}.',
  'alerts.breakingOn': 'Only breaking stories.',
  'alerts.breakingOff': 'All matching stories (not only breaking ones).',
  'alerts.held': '{n} {n|alert|alerts} held for the next digest.',
  'alerts.paused': 'Alerts paused. Nothing is lost: they are held and delivered as one digest on /alerts resume.',
  'alerts.resumed': 'Alerts resumed; anything held arrives as one digest.',
  'alerts.badDigest': 'Digest must be 15m, 1h, daily or off.',
  'alerts.digestSet': 'Alerts are now collected into one digest {every}.',
  'alerts.digestSetOff': 'Digest off: one message per story.',
  'alerts.badQuiet': 'Quiet hours are written HH:MM-HH:MM (24-hour clock), e.g. 22:00-07:00, or off.',
  'alerts.quietEmpty': 'Quiet hours must start and end at different times.',
  'alerts.badTz': '"{tz}" is not a time zone; use an IANA name such as Europe/Paris or America/New_York (UTC by default).',
  'alerts.quietSet': 'Quiet hours set: {start}–{end} ({tz}). Alerts in that window are held and delivered as one digest afterwards.',
  'alerts.quietCleared': 'Quiet hours removed.',
  'alerts.badCap': 'A cap is a whole number of messages per hour from {min} to {max}, e.g. 20/h, or off.',
  'alerts.capSet': 'At most {n} alert {n|message|messages} per hour; the overflow goes into the next digest.',
  'alerts.capCleared': 'Cap removed.',
  'alerts.badLang': 'Language must be en or fr.',
  'alerts.langSet': 'Replies and alert labels in this channel are now in {lang}.',
  'alerts.badBreaking': 'Breaking must be on or off.',
  'alerts.breakingSetOn': 'Only breaking stories (reported by 3 or more outlets within an hour) will reach this channel.',
  'alerts.breakingSetOff': 'All matching stories will reach this channel again.',

  'price.usage': 'Usage: /price <symbol> — e.g. BTC, eth, XRP/USDT',
  'price.example': '/price BTC',
  'price.badSymbol': '"{symbol}" is not a symbol (letters and digits, optionally /QUOTE).',
  'price.unknown': 'The market source has no price for {pair}.',
  'price.failed': 'No price for {pair} right now: {reason}.',
  'price.change1h': '1 h {change}',
  'price.change24h': '24 h {change}',
  'price.range': 'low {low} · high {high}',
  'price.chart': 'Chart on {provider}',
  'price.asOf': 'as of {when}',

  'status.usage': 'Usage: /status',
  'status.example': '/status',
  'status.noSources': 'No sources.',
  'status.sources': '{n} {n|source|sources}: {failing} failing, {disabled} disabled.',
  'status.backlog': 'Delivery backlog: {n} {n|alert|alerts}.',
  'status.held': 'Held for this channel\'s next digest: {n}.',
  'status.routePaused': 'Delivery to this channel is paused for an hour: the platform refused it ({why}); alerts are held meanwhile.',
  'status.lastFetch': 'last fetch {when}',
  'status.lastNew': 'last new item {when}',
  'status.failures': '{n} consecutive {n|failure|failures}',

  'help.usage': 'Usage: /wirewatch help',
  'help.example': '/wirewatch help',
  'help.head': 'wirewatch commands (changing settings needs permission to manage the channel; lookups are open to everyone):',
  'help.exampleLabel': 'e.g. {example}',
} as const satisfies Record<string, string>;

/** The name of one reply string. */
export type MessageKey = keyof typeof en;

/** The placeholder names of a template: `{name}` and the number of `{n|one|other}`. */
type PlaceholderNames<S extends string> = S extends `${string}{${infer Body}}${infer Rest}`
  ? (Body extends `${infer Name}|${string}` ? Name : Body) | PlaceholderNames<Rest>
  : never;

/** Values for a string's placeholders, checked against the English template by the compiler. */
export type MessageParams<K extends MessageKey> = Readonly<Record<PlaceholderNames<(typeof en)[K]>, string | number>>;

/** The parameter list `translate` takes after the key: nothing for a string without placeholders. */
export type MessageArgs<K extends MessageKey> = [PlaceholderNames<(typeof en)[K]>] extends [never] ? [] : [params: MessageParams<K>];

const fr: Record<MessageKey, string> = {
  'common.unknownSub': 'Sous-commande inconnue « {sub} ».',
  'common.unknownCommand': 'Commande inconnue /{name}. Essayez /wirewatch help.',
  'common.tooLong': 'Cela fait {n} caractères ; la limite est {max}.',
  'common.internal': 'wirewatch ne peut pas faire cela pour le moment ({reason}). Réessayez dans un instant.',
  'common.more': '… et {n} de plus',

  'perm.refused': 'Seules les personnes qui peuvent gérer ce salon peuvent modifier ses réglages wirewatch.',
  'perm.refusedWhy': 'Seules les personnes qui peuvent gérer ce salon peuvent modifier ses réglages wirewatch : {hint}.',

  'time.never': 'jamais',
  'time.justNow': 'à l’instant',
  'time.minutesAgo': 'il y a {n} min',
  'time.hoursAgo': 'il y a {n} h',
  'time.daysAgo': 'il y a {n} {n|jour|jours}',

  'health.ok': 'fonctionne',
  'health.failing': 'en échec',
  'health.disabled': 'désactivée',
  'health.off': 'désactivée dans la configuration',

  'lang.en': 'anglais',
  'lang.fr': 'français',

  'digest.15m': 'toutes les 15 minutes',
  'digest.1h': 'toutes les heures',
  'digest.daily': 'une fois par jour',

  'fetch.ssrf_blocked': 'cette adresse n’est pas autorisée (réseau privé ou interne)',
  'fetch.too_large': 'la réponse est trop volumineuse',
  'fetch.timeout': 'le serveur a mis trop de temps à répondre',
  'fetch.http_status': 'le serveur a répondu par une erreur',
  'fetch.rate_limited': 'le serveur nous demande de ralentir',
  'fetch.not_a_feed': 'ce n’est pas un flux RSS, Atom, RDF ou JSON',
  'fetch.fetch_failed': 'impossible de le récupérer',

  'watch.usage': 'Utilisation : /watch add <termes> | /watch remove <terme> | /watch list | /watch clear',
  'watch.example': '/watch add nvidia "stargate project" -gaming topic:crypto',
  'watch.nothingToAdd': 'Rien à ajouter.',
  'watch.badTerms': 'Ces termes sont illisibles : {problems}.',
  'watch.added': 'Désormais surveillé : {terms}.',
  'watch.already': 'Déjà surveillé : {terms}.',
  'watch.whichTerm': 'Quel terme ?',
  'watch.oneTerm': 'Donnez exactement un terme à retirer.',
  'watch.removed': '{term} n’est plus surveillé.',
  'watch.notWatched': '{term} ne figure pas dans la liste de ce salon (voir /watch list).',
  'watch.topics': 'Thèmes : {topics}',
  'watch.terms': 'Termes : {terms}',
  'watch.fromConfig': 'du fichier de configuration',
  'watch.fromChat': 'ajoutés dans le chat',
  'watch.empty': 'Ce salon ne surveille encore rien.',
  'watch.listHead': 'Ce salon reçoit une alerte quand un article a l’un de ses thèmes ou correspond à un terme, sans correspondre à aucune -exclusion :',
  'watch.cleared': '{n} {n|terme ajouté|termes ajoutés} dans le chat {n|retiré|retirés} (ceux du fichier de configuration restent).',
  'watch.clearedNone': 'Ce salon n’avait aucun terme ajouté dans le chat.',

  'source.usage': 'Utilisation : /source add <url> [intervalle, ex. 15m] | /source remove <id> | /source list | /source test <url>',
  'source.example': '/source add https://example.com/flux.xml 30m',
  'source.badUrl': '« {url} » n’est pas une URL http(s).',
  'source.badEvery': '« {every} » n’est pas un intervalle comme 15m, 30m, 1h ou 1d.',
  'source.tooOften': 'Toutes les {every}, c’est trop souvent : cette instance interroge au plus toutes les {min}.',
  'source.duplicateUrl': 'Ce flux est déjà interrogé sous le nom {id}.',
  'source.refused': 'Non ajoutée : {url} — {reason}.',
  'source.added':
    '{id} ajoutée ({title}, {items} {items|article|articles} actuellement), interrogée toutes les {every}. Sa première lecture mémorise seulement ce que le flux contient déjà : les articles plus récents donneront des alertes.',
  'source.idRace': 'Une autre source a pris ce nom au même moment ; réessayez.',
  'source.isConfig': '{id} vient du fichier de configuration de wirewatch ; retirez-la là-bas (seules les sources ajoutées dans le chat peuvent être retirées ici).',
  'source.removed': '{id} retirée ; elle n’est plus interrogée.',
  'source.unknownId': 'Aucune source ajoutée dans le chat ne s’appelle {id} (voir /source list).',
  'source.none': 'Aucune source pour l’instant.',
  'source.listHead': '{n} {n|source|sources} :',
  'source.fromConfig': 'fichier de configuration',
  'source.fromChat': 'ajoutée dans le chat',
  'source.every': 'toutes les {every}',
  'source.lastFetch': 'dernière lecture {when}',
  'source.testFailed': 'Impossible de lire {url} : {reason}.',
  'source.testHead': '{title} ({format}, {items} {items|article|articles}). Les {shown} plus récents et les thèmes qu’ils recevraient :',
  'source.undated': 'sans date',
  'source.topics': 'thèmes : {topics}',
  'source.noTopic': 'aucun thème (alerte seulement sur les termes surveillés)',

  'news.usage': 'Utilisation : /news [recherche] [since:30m|6h|24h|7d]',
  'news.example': '/news nvidia since:24h',
  'news.badSince': '{since} n’est pas une période comme since:30m, since:6h, since:24h ou since:7d (7 jours au plus).',
  'news.emptyQuery': 'La recherche ne contient ni lettre ni chiffre.',
  'news.none': 'Aucune actualité récente ne correspond à « {query} ».',
  'news.noneHere': 'Aucune actualité n’a été signalée récemment dans ce salon.',
  'news.found': '{n} {n|actualité récente correspond|actualités récentes correspondent} à « {query} », de la plus récente à la plus ancienne :',
  'news.latestHere': '{n|La dernière actualité signalée|Les {n} dernières actualités signalées} dans ce salon, de la plus récente à la plus ancienne :',
  'news.oneSource': '1 média',
  'news.sources': '{n} médias',

  'alerts.usage':
    'Utilisation : /alerts | /alerts pause | resume | digest <15m|1h|daily|off> | quiet <22:00-07:00> [fuseau horaire] | quiet off | cap <n>/h | cap off | lang <en|fr> | breaking <on|off>',
  'alerts.example': '/alerts quiet 22:00-07:00 Europe/Paris',
  'alerts.head': 'Réglages des alertes de ce salon :',
  'alerts.statePaused': 'En pause : les alertes sont gardées jusqu’à /alerts resume.',
  'alerts.stateActive': 'Actives.',
  'alerts.digestOff': 'Résumé : désactivé (un message par actualité).',
  'alerts.digestOn': 'Résumé : un message {every}.',
  'alerts.quietOff': 'Heures calmes : aucune.',
  'alerts.quietOn': 'Heures calmes : {start}–{end} ({tz}).',
  'alerts.capOff': 'Plafond : aucun.',
  'alerts.capOn': 'Plafond : {n} {n|message|messages} par heure ; le surplus part dans le prochain résumé.',
  'alerts.langIs': 'Langue : {lang}.',
  'alerts.breakingOn': 'Seulement les actualités majeures.',
  'alerts.breakingOff': 'Toutes les actualités correspondantes (pas seulement les majeures).',
  'alerts.held': '{n} {n|alerte gardée|alertes gardées} pour le prochain résumé.',
  'alerts.paused': 'Alertes en pause. Rien n’est perdu : elles sont gardées et livrées en un seul résumé à /alerts resume.',
  'alerts.resumed': 'Alertes reprises ; ce qui a été gardé arrive en un seul résumé.',
  'alerts.badDigest': 'Le résumé doit être 15m, 1h, daily ou off.',
  'alerts.digestSet': 'Les alertes sont désormais regroupées en un résumé {every}.',
  'alerts.digestSetOff': 'Résumé désactivé : un message par actualité.',
  'alerts.badQuiet': 'Les heures calmes s’écrivent HH:MM-HH:MM (sur 24 heures), par exemple 22:00-07:00, ou off.',
  'alerts.quietEmpty': 'Les heures calmes doivent commencer et finir à des heures différentes.',
  'alerts.badTz': '« {tz} » n’est pas un fuseau horaire ; utilisez un nom IANA comme Europe/Paris ou America/New_York (UTC par défaut).',
  'alerts.quietSet': 'Heures calmes réglées : {start}–{end} ({tz}). Les alertes de cette plage sont gardées et livrées ensuite en un seul résumé.',
  'alerts.quietCleared': 'Heures calmes supprimées.',
  'alerts.badCap': 'Un plafond est un nombre entier de messages par heure entre {min} et {max}, par exemple 20/h, ou off.',
  'alerts.capSet': 'Au plus {n} {n|message|messages} d’alerte par heure ; le surplus part dans le prochain résumé.',
  'alerts.capCleared': 'Plafond supprimé.',
  'alerts.badLang': 'La langue doit être en ou fr.',
  'alerts.langSet': 'Les réponses et les libellés des alertes de ce salon sont désormais en {lang}.',
  'alerts.badBreaking': 'breaking doit être on ou off.',
  'alerts.breakingSetOn': 'Seules les actualités majeures (reprises par au moins 3 médias en une heure) arriveront dans ce salon.',
  'alerts.breakingSetOff': 'Toutes les actualités correspondantes arrivent de nouveau dans ce salon.',

  'price.usage': 'Utilisation : /price <symbole> — par ex. BTC, eth, XRP/USDT',
  'price.example': '/price BTC',
  'price.badSymbol': '« {symbol} » n’est pas un symbole (lettres et chiffres, éventuellement /DEVISE).',
  'price.unknown': 'La source de marché n’a pas de cours pour {pair}.',
  'price.failed': 'Pas de cours pour {pair} pour le moment : {reason}.',
  'price.change1h': '1 h : {change}',
  'price.change24h': '24 h : {change}',
  'price.range': 'bas {low} · haut {high}',
  'price.chart': 'Graphique sur {provider}',
  'price.asOf': 'à {when}',

  'status.usage': 'Utilisation : /status',
  'status.example': '/status',
  'status.noSources': 'Aucune source.',
  'status.sources': '{n} {n|source|sources} : {failing} en échec, {disabled} {disabled|désactivée|désactivées}.',
  'status.backlog': 'File de livraison : {n} {n|alerte|alertes}.',
  'status.held': 'Gardées pour le prochain résumé de ce salon : {n}.',
  'status.routePaused': 'Les envois vers ce salon sont suspendus pour une heure : la plateforme les a refusés ({why}) ; les alertes sont gardées en attendant.',
  'status.lastFetch': 'dernière lecture {when}',
  'status.lastNew': 'dernier nouvel article {when}',
  'status.failures': '{n} {n|échec consécutif|échecs consécutifs}',

  'help.usage': 'Utilisation : /wirewatch help',
  'help.example': '/wirewatch help',
  'help.head': 'Commandes wirewatch (modifier les réglages demande le droit de gérer le salon ; les consultations sont ouvertes à tous) :',
  'help.exampleLabel': 'ex. {example}',
};

/** Every reply string, per language; both have every key (checked by the compiler and by test/bots/commands/i18n.test.ts). */
export const MESSAGES = { en, fr } as const satisfies Record<Lang, Record<MessageKey, string>>;

const pluralRules = { en: new Intl.PluralRules('en'), fr: new Intl.PluralRules('fr') } as const satisfies Record<Lang, Intl.PluralRules>;

/**
 * The string `key` in `lang` with its placeholders filled. A placeholder without a value is left
 * as written (`{name}`), so a missing parameter shows up in tests instead of vanishing.
 */
export function translate<K extends MessageKey>(lang: Lang, key: K, ...args: MessageArgs<K>): string {
  const [params = {}] = args;
  return fill(lang, MESSAGES[lang][key], params);
}

/** `{name}` and `{n|one|other}` (whose forms may themselves hold `{name}`) replaced from `params`. */
function fill(lang: Lang, template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)(?:\|((?:[^|{}]|\{\w+\})*)\|((?:[^|{}]|\{\w+\})*))?\}/g, (whole, name: string, one?: string, other?: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    if (one === undefined || other === undefined) return String(value);
    return fill(lang, pluralRules[lang].select(Number(value)) === 'one' ? one : other, params);
  });
}
