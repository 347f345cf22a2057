// The Discord side of the command set: one chat-input command per name, with subcommands and typed
// options, declared once in a table that also says how each interaction becomes the core's `args`
// text, whether a subcommand changes configuration, and where the command may be used.
import {
  InteractionContextType,
  PermissionFlagsBits,
  REST,
  Routes,
  SlashCommandBuilder,
  type APIApplication,
  type ChatInputCommandInteraction,
  type RESTOptions,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type SlashCommandSubcommandBuilder,
} from 'discord.js';
import { WirewatchError, describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { CommandName, CommandRequest } from '../chat-adapter.js';
import { outcomeFromError } from './outcome.js';

/** How an option value is written into `args`. */
type ArgForm =
  /** As typed (trimmed): free text the core parses itself (`nvidia "stargate project"`). */
  | 'raw'
  /** One term: a phrase is put in quotes so the core keeps it whole. */
  | 'term'
  /** `since:<value>`. */
  | 'since'
  /** `<value>/h`. */
  | 'per-hour';

/** One option of a command or subcommand. */
interface OptionSpec {
  name: string;
  description: string;
  type: 'string' | 'integer';
  required?: boolean;
  /** Longest string accepted, in characters (Discord enforces it in the client). */
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
  /** Fixed values Discord offers as a menu. */
  choices?: readonly string[];
  form: ArgForm;
}

/** One subcommand. */
interface SubcommandSpec {
  name: string;
  description: string;
  /** Changes channel or bot configuration (needs Manage Channels); false for lookups. */
  manages: boolean;
  /** The word written into `args`; default the subcommand's name (`/alerts show` is `/alerts` alone). */
  word?: string;
  options?: readonly OptionSpec[];
}

/** One command as Discord shows it. */
interface CommandSpec {
  name: CommandName;
  description: string;
  /** Usable in a DM with the bot (lookups); configuration commands are server-only. */
  inDms: boolean;
  subcommands?: readonly SubcommandSpec[];
  /** Options of a command without subcommands. */
  options?: readonly OptionSpec[];
}

const str = (name: string, description: string, form: ArgForm, extra: Partial<OptionSpec> = {}): OptionSpec => ({
  name,
  description,
  type: 'string',
  form,
  ...extra,
});

/** The seven commands, the same names and arguments as on Slack. */
export const COMMAND_SPECS: readonly CommandSpec[] = [
  {
    name: 'watch',
    description: 'The watch terms of this channel',
    inDms: false,
    subcommands: [
      {
        name: 'add',
        description: 'Alert this channel on news matching these terms',
        manages: true,
        options: [str('terms', 'Terms; quote phrases, topic: filters, -exclusions: nvidia "stargate project"', 'raw', { required: true, maxLength: 200 })],
      },
      { name: 'remove', description: 'Stop watching a term', manages: true, options: [str('term', 'The term to remove', 'term', { required: true, maxLength: 100 })] },
      { name: 'list', description: 'Show what this channel watches', manages: false },
      { name: 'clear', description: 'Remove every term added in chat', manages: true },
    ],
  },
  {
    name: 'source',
    description: 'News sources',
    inDms: false,
    subcommands: [
      {
        name: 'add',
        description: 'Add a feed (it is fetched and checked first)',
        manages: true,
        options: [
          str('url', 'Feed URL (RSS, Atom, JSON Feed)', 'raw', { required: true, maxLength: 500 }),
          str('every', 'How often to poll, e.g. 15m (default from the config)', 'raw', { maxLength: 10 }),
        ],
      },
      { name: 'remove', description: 'Remove a source added in chat', manages: true, options: [str('id', 'The source id (see /source list)', 'raw', { required: true, maxLength: 100 })] },
      { name: 'list', description: 'Show the sources', manages: false },
      { name: 'test', description: 'Preview the newest items of a feed and their topics', manages: false, options: [str('url', 'Feed URL', 'raw', { required: true, maxLength: 500 })] },
    ],
  },
  {
    name: 'news',
    description: 'Recent stories, optionally matching a query',
    inDms: true,
    options: [
      str('query', 'Words to look for', 'raw', { maxLength: 100 }),
      str('since', 'How far back, e.g. 24h', 'since', { maxLength: 10 }),
    ],
  },
  {
    name: 'alerts',
    description: 'How this channel receives alerts',
    inDms: false,
    subcommands: [
      { name: 'show', description: 'Show the alert settings of this channel', manages: false, word: '' },
      { name: 'pause', description: 'Hold alerts (delivered as one digest on resume)', manages: true },
      { name: 'resume', description: 'Deliver alerts again', manages: true },
      {
        name: 'digest',
        description: 'Collect alerts into one message per interval',
        manages: true,
        options: [str('interval', 'Digest interval', 'raw', { required: true, choices: ['15m', '1h', 'daily', 'off'] })],
      },
      {
        name: 'quiet',
        description: 'Hold alerts during these hours',
        manages: true,
        options: [
          str('hours', 'e.g. 22:00-07:00, or off', 'raw', { required: true, maxLength: 20 }),
          str('tz', 'Time zone, e.g. Europe/Paris (default UTC)', 'raw', { maxLength: 64 }),
        ],
      },
      {
        name: 'cap',
        description: 'At most this many alert messages per hour; the rest go to the next digest',
        manages: true,
        options: [{ name: 'per_hour', description: 'Messages per hour', type: 'integer', required: true, minValue: 1, maxValue: 1000, form: 'per-hour' }],
      },
      { name: 'lang', description: 'Language of labels and replies', manages: true, options: [str('lang', 'Language', 'raw', { required: true, choices: ['en', 'fr'] })] },
      { name: 'breaking', description: 'Only breaking stories', manages: true, options: [str('mode', 'on or off', 'raw', { required: true, choices: ['on', 'off'] })] },
    ],
  },
  {
    name: 'price',
    description: 'Last price, 1 h / 24 h change and a 24 h sparkline',
    inDms: true,
    options: [str('symbol', 'e.g. BTC, NVDA', 'raw', { required: true, maxLength: 20 })],
  },
  { name: 'status', description: 'Source health and the delivery backlog', inDms: true },
  {
    name: 'wirewatch',
    description: 'About wirewatch',
    inDms: true,
    subcommands: [{ name: 'help', description: 'Every command with an example', manages: false }],
  },
];

/**
 * Whether a command is closed to members without Manage Channels by default. Discord's
 * `default_member_permissions` applies to a whole command, subcommands included, so it is set only
 * where every subcommand changes configuration; a command that mixes lookups (`/watch list`,
 * `/source list|test`, `/alerts show`) stays open and the permission is checked on our side for each
 * interaction (`canManage`), which is needed anyway: server admins can override the default.
 * With today's table no command qualifies.
 */
export function closedByDefault(spec: CommandSpec): boolean {
  return spec.subcommands !== undefined && spec.subcommands.length > 0 && spec.subcommands.every((s) => s.manages);
}

function addOptions(builder: SlashCommandBuilder | SlashCommandSubcommandBuilder, options: readonly OptionSpec[]): void {
  for (const o of options) {
    if (o.type === 'integer') {
      builder.addIntegerOption((opt) => {
        opt.setName(o.name).setDescription(o.description).setRequired(o.required ?? false);
        if (o.minValue !== undefined) opt.setMinValue(o.minValue);
        if (o.maxValue !== undefined) opt.setMaxValue(o.maxValue);
        return opt;
      });
      continue;
    }
    builder.addStringOption((opt) => {
      opt.setName(o.name).setDescription(o.description).setRequired(o.required ?? false);
      if (o.maxLength !== undefined) opt.setMaxLength(o.maxLength);
      if (o.choices) opt.addChoices(...o.choices.map((c) => ({ name: c, value: c })));
      return opt;
    });
  }
}

/** The registration body of one command. */
export function buildCommand(spec: CommandSpec): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const builder = new SlashCommandBuilder().setName(spec.name).setDescription(spec.description);
  builder.setContexts(...(spec.inDms ? [InteractionContextType.Guild, InteractionContextType.BotDM] : [InteractionContextType.Guild]));
  if (closedByDefault(spec)) builder.setDefaultMemberPermissions(PermissionFlagsBits.ManageChannels);
  for (const sub of spec.subcommands ?? []) {
    builder.addSubcommand((s) => {
      s.setName(sub.name).setDescription(sub.description);
      addOptions(s, sub.options ?? []);
      return s;
    });
  }
  addOptions(builder, spec.options ?? []);
  return builder.toJSON();
}

/** The bodies of `PUT /applications/:id/commands`, one per command name. */
export const DISCORD_COMMANDS: RESTPostAPIChatInputApplicationCommandsJSONBody[] = COMMAND_SPECS.map(buildCommand);

/** The spec of a registered command name, or undefined for anything else. */
export function commandSpec(name: string): CommandSpec | undefined {
  return COMMAND_SPECS.find((c) => c.name === name);
}

/** One term: a phrase is quoted (inner quotes dropped) so the core's parser keeps it whole. */
function quoteTerm(term: string): string {
  const t = term.trim();
  if (!/\s/.test(t) || /^"[^"]*"$/.test(t)) return t;
  return `"${t.replaceAll('"', '')}"`;
}

function formatValue(value: string | number, form: ArgForm): string {
  // Options are one line in Discord's client, but the API would accept anything.
  const text = String(value).replace(/\s+/g, ' ').trim();
  if (!text) return '';
  switch (form) {
    case 'raw':
      return text;
    case 'term':
      return quoteTerm(text);
    case 'since':
      return `since:${text.replace(/^since:/i, '')}`;
    case 'per-hour':
      return `${text}/h`;
  }
}

/**
 * Joins a chat-input command's subcommand and options into the platform-neutral `args` string,
 * in the order the spec declares them: `/watch remove term:stargate project` → `remove "stargate project"`,
 * `/alerts cap per_hour:5` → `cap 5/h`, `/news query:nvidia since:24h` → `nvidia since:24h`.
 */
export function commandArgs(interaction: ChatInputCommandInteraction): string {
  const spec = commandSpec(interaction.commandName);
  if (!spec) return '';
  const subName = spec.subcommands ? interaction.options.getSubcommand(false) : null;
  const sub = spec.subcommands?.find((s) => s.name === subName);
  const options = sub ? (sub.options ?? []) : (spec.options ?? []);
  const parts: string[] = [];
  if (sub) parts.push(sub.word ?? sub.name);
  for (const o of options) {
    const value = o.type === 'integer' ? interaction.options.getInteger(o.name) : interaction.options.getString(o.name);
    if (value === null) continue;
    parts.push(formatValue(value, o.form));
  }
  return parts.filter(Boolean).join(' ');
}

/** Shown when a member without Manage Channels runs a configuration command. */
export const DISCORD_MANAGE_HINT = 'changing the configuration needs the Manage Channels permission';
/** Shown when a configuration command is run in a DM. */
export const DISCORD_DM_HINT = 'the configuration can only be changed from a server channel';

/**
 * Whether the member may change configuration, re-checked on every interaction: Manage Channels
 * in this channel (Discord computes `memberPermissions` with the channel's overwrites;
 * Administrator implies it). In a DM there is no member: never.
 */
export function manageRights(interaction: ChatInputCommandInteraction): Pick<CommandRequest, 'canManage' | 'manageHint'> {
  if (!interaction.inGuild()) return { canManage: false, manageHint: DISCORD_DM_HINT };
  const allowed = interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels) ?? false;
  return allowed ? { canManage: true } : { canManage: false, manageHint: DISCORD_MANAGE_HINT };
}

/** Options of `registerDiscordCommands` (the CLI `wirewatch register-commands`). */
export interface RegisterCommandsOptions {
  /** Bot token (without the `Bot ` prefix). */
  token: string;
  /** Base of the API (`DISCORD_API_URL`); Discord's by default. */
  apiUrl?: string | undefined;
  /** The application id; asked from `GET /applications/@me` when not given. */
  applicationId?: string | undefined;
  /** Register for this guild only (visible at once, handy while testing); global otherwise. */
  guildId?: string | undefined;
  logger: Logger;
  /** Extra ms @discordjs/rest waits past a rate-limit reset; 0 in tests. */
  restOffsetMs?: number;
}

/**
 * Replaces the application's commands with `DISCORD_COMMANDS` (one bulk PUT: commands no longer
 * declared disappear), globally or for one guild. Throws a `WirewatchError` when Discord refuses.
 */
export async function registerDiscordCommands(options: RegisterCommandsOptions): Promise<{ scope: 'global' | 'guild'; count: number }> {
  const restOptions: Partial<RESTOptions> = {
    ...(options.apiUrl ? { api: options.apiUrl } : {}),
    ...(options.restOffsetMs !== undefined ? { offset: options.restOffsetMs } : {}),
  };
  const rest = new REST(restOptions).setToken(options.token);
  const scope = options.guildId ? 'guild' : 'global';
  try {
    const appId = options.applicationId ?? ((await rest.get(Routes.currentApplication())) as APIApplication).id;
    const route = options.guildId ? Routes.applicationGuildCommands(appId, options.guildId) : Routes.applicationCommands(appId);
    const registered = (await rest.put(route, { body: DISCORD_COMMANDS })) as unknown[];
    const count = Array.isArray(registered) ? registered.length : DISCORD_COMMANDS.length;
    options.logger.info({ scope, guild: options.guildId, application: appId, count }, 'discord commands registered');
    return { scope, count };
  } catch (err) {
    const outcome = outcomeFromError(err);
    const code = !outcome.ok && outcome.reason === 'rejected' && !outcome.retryable ? 'config_invalid' : 'delivery_failed';
    throw new WirewatchError(code, `discord command registration failed: ${outcome.ok ? describeError(err) : outcome.message}`, { cause: err });
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
