// The platform-neutral command core: Slack and Discord hand it the same request and render the
// same reply. Each command lives in its own file (registry.ts); this file cleans the arguments,
// reads the channel's language, and makes sure nothing throws: an unexpected error becomes a short
// `ok: false` reply and a log line, never a stack trace in chat.
import type { Lang } from '../../domain.js';
import { describeError } from '../../errors.js';
import type { CommandHandler, CommandReply, CommandRequest } from '../chat-adapter.js';
import { translate, type MessageArgs, type MessageKey } from '../i18n.js';
import { privateReply, quoteBack, type Command, type CommandContext, type CommandCoreOptions } from './command.js';
import { COMMANDS } from './registry.js';

export type { CommandCoreOptions } from './command.js';

/** Longest argument text accepted, in characters. */
export const MAX_ARGS = 2000;

/** Control characters (C0, DEL, C1) become spaces, then outer whitespace is trimmed. */
function cleanArgs(args: string): string {
  return args.replace(/\p{Cc}/gu, ' ').trim();
}

/** Builds the handler every platform calls. */
export function createCommandHandler(options: CommandCoreOptions): CommandHandler {
  const { store, logger } = options;
  const now = options.now ?? (() => new Date());
  const commands: readonly Command[] = Object.values(COMMANDS);

  return async function handle(request: CommandRequest): Promise<CommandReply> {
    const log = logger.child({ command: request.name, channel: request.channel, user: request.user });
    let lang: Lang = 'en';
    try {
      lang = (await store.getChannelSettings(request.channel)).lang;
    } catch (err) {
      log.warn({ err: describeError(err) }, 'channel settings unreadable; answering in English');
    }
    const t = <K extends MessageKey>(key: K, ...args: MessageArgs<K>) => translate(lang, key, ...args);
    const command: Command | undefined = Object.hasOwn(COMMANDS, request.name) ? COMMANDS[request.name] : undefined;
    if (command === undefined) return privateReply(false, t('common.unknownCommand', { name: quoteBack(String(request.name), 30) }));
    const args = cleanArgs(request.args);
    if (args.length > MAX_ARGS) return privateReply(false, `${t('common.tooLong', { n: args.length, max: MAX_ARGS })} ${t(command.usage)}`);
    const context: CommandContext = { request, args, lang, options, log, now, commands, t };
    try {
      const answer = await command.run(context);
      log.info({ ok: answer.ok }, 'command answered');
      return answer;
    } catch (err) {
      log.error({ err }, 'command failed');
      return privateReply(false, t('common.internal', { reason: quoteBack(describeError(err), 120) }));
    }
  };
}
