// `/alerts [pause | resume | digest <15m|1h|daily|off> | quiet <HH:MM-HH:MM> [tz] | quiet off |
// cap <n>/h | cap off | lang <en|fr> | breaking <on|off>]`: how a channel receives alerts. This
// file only validates and stores the settings; the pipeline applies them.
import { LANGS, type ChannelSettings, type Lang } from '../../domain.js';
import { translate, type MessageArgs, type MessageKey } from '../i18n.js';
import { privateReply, quoteBack, refusal, splitSubcommand, usageReply, type Command, type CommandContext } from './command.js';

const USAGE = 'alerts.usage' as const;
const DIGESTS = ['off', '15m', '1h', 'daily'] as const satisfies readonly ChannelSettings['digest'][];
/** Bounds of `/alerts cap`, in alert messages per hour. */
export const CAP_RANGE = { min: 1, max: 1000 } as const;
/** The zone of quiet hours given without one. */
export const DEFAULT_TZ = 'UTC';

/** `7:05` or `07:05` as `07:05`; undefined unless a valid 24-hour time. */
export function parseClock(text: string): string | undefined {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) return undefined;
  return `${(match[1] ?? '').padStart(2, '0')}:${match[2] ?? ''}`;
}

/** The canonical IANA name of a time zone (`europe/paris` → `Europe/Paris`); undefined when Intl does not know it. */
export function canonicalTimeZone(name: string): string | undefined {
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The current settings as reply lines, in `lang`. */
function describeSettings(lang: Lang, s: ChannelSettings, held: number): { text: string }[] {
  const t = <K extends MessageKey>(key: K, ...args: MessageArgs<K>) => translate(lang, key, ...args);
  return [
    { text: s.paused ? t('alerts.statePaused') : t('alerts.stateActive') },
    { text: s.digest === 'off' ? t('alerts.digestOff') : t('alerts.digestOn', { every: t(`digest.${s.digest}`) }) },
    { text: s.quiet ? t('alerts.quietOn', { start: s.quiet.start, end: s.quiet.end, tz: s.quiet.tz }) : t('alerts.quietOff') },
    { text: s.capPerHour === undefined ? t('alerts.capOff') : t('alerts.capOn', { n: s.capPerHour }) },
    { text: t('alerts.langIs', { lang: t(`lang.${s.lang}`) }) },
    { text: s.breakingOnly ? t('alerts.breakingOn') : t('alerts.breakingOff') },
    { text: t('alerts.held', { n: held }) },
  ];
}

type Change = { settings: ChannelSettings; confirm: (lang: Lang) => string } | { problem: string };

/** Applies one subcommand to the settings; a problem (already translated) when the arguments are wrong. */
function change(ctx: CommandContext, sub: string, rest: string, current: ChannelSettings): Change | undefined {
  const words = rest.split(/\s+/).filter(Boolean);
  const [first, second, ...extra] = words;
  const set = (patch: Partial<ChannelSettings>, confirm: (lang: Lang) => string): Change => ({ settings: { ...current, ...patch }, confirm });
  switch (sub) {
    case 'pause':
      return words.length > 0 ? undefined : set({ paused: true }, (lang) => translate(lang, 'alerts.paused'));
    case 'resume':
      return words.length > 0 ? undefined : set({ paused: false }, (lang) => translate(lang, 'alerts.resumed'));
    case 'digest': {
      const digest = DIGESTS.find((d) => d === first?.toLowerCase());
      if (digest === undefined || words.length !== 1) return { problem: ctx.t('alerts.badDigest') };
      if (digest === 'off') return set({ digest }, (lang) => translate(lang, 'alerts.digestSetOff'));
      return set({ digest }, (lang) => translate(lang, 'alerts.digestSet', { every: translate(lang, `digest.${digest}`) }));
    }
    case 'quiet': {
      if (first?.toLowerCase() === 'off' && words.length === 1) return set({ quiet: undefined }, (lang) => translate(lang, 'alerts.quietCleared'));
      if (first === undefined || extra.length > 0) return { problem: ctx.t('alerts.badQuiet') };
      const [startText = '', endText = '', ...more] = first.split(/[-–—]/);
      const start = parseClock(startText);
      const end = parseClock(endText);
      if (start === undefined || end === undefined || more.length > 0) return { problem: ctx.t('alerts.badQuiet') };
      if (start === end) return { problem: ctx.t('alerts.quietEmpty') };
      const tz = second === undefined ? DEFAULT_TZ : canonicalTimeZone(second);
      if (tz === undefined) return { problem: ctx.t('alerts.badTz', { tz: quoteBack(second ?? '', 40) }) };
      return set({ quiet: { start, end, tz } }, (l) => translate(l, 'alerts.quietSet', { start, end, tz }));
    }
    case 'cap': {
      if (first?.toLowerCase() === 'off' && words.length === 1) return set({ capPerHour: undefined }, (lang) => translate(lang, 'alerts.capCleared'));
      const match = words.length === 1 ? /^(\d{1,7})(?:\/h)?$/i.exec(first ?? '') : null;
      const n = match ? Number(match[1]) : NaN;
      if (!(n >= CAP_RANGE.min && n <= CAP_RANGE.max)) return { problem: ctx.t('alerts.badCap', CAP_RANGE) };
      return set({ capPerHour: n }, (lang) => translate(lang, 'alerts.capSet', { n }));
    }
    case 'lang': {
      const lang = LANGS.find((l) => l === first?.toLowerCase());
      if (lang === undefined || words.length !== 1) return { problem: ctx.t('alerts.badLang') };
      return set({ lang }, (l) => translate(l, 'alerts.langSet', { lang: translate(l, `lang.${lang}`) }));
    }
    case 'breaking': {
      const value = first?.toLowerCase();
      if ((value !== 'on' && value !== 'off') || words.length !== 1) return { problem: ctx.t('alerts.badBreaking') };
      return set({ breakingOnly: value === 'on' }, (lang) => translate(lang, value === 'on' ? 'alerts.breakingSetOn' : 'alerts.breakingSetOff'));
    }
    default:
      return undefined;
  }
}

const SUBCOMMANDS = new Set(['pause', 'resume', 'digest', 'quiet', 'cap', 'lang', 'breaking']);

export default {
  name: 'alerts',
  usage: USAGE,
  example: 'alerts.example',
  async run(ctx) {
    const { store } = ctx.options;
    const channel = ctx.request.channel;
    const { sub, rest } = splitSubcommand(ctx.args);
    if (sub === '') {
      const [settings, held] = await Promise.all([store.getChannelSettings(channel), store.heldCount(channel)]);
      return privateReply(true, ctx.t('alerts.head'), describeSettings(ctx.lang, settings, held));
    }
    if (!SUBCOMMANDS.has(sub)) return usageReply(ctx, USAGE, ctx.t('common.unknownSub', { sub: sub.slice(0, 30) }));
    if (!ctx.request.canManage) return refusal(ctx);
    const current = await store.getChannelSettings(channel);
    const result = change(ctx, sub, rest, current);
    if (result === undefined) return usageReply(ctx, USAGE);
    if ('problem' in result) return usageReply(ctx, USAGE, result.problem);
    await store.setChannelSettings(channel, result.settings);
    // A language change answers in the new language.
    return privateReply(true, result.confirm(result.settings.lang));
  },
} satisfies Command;
