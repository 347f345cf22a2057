// `/wirewatch help` (and `/wirewatch` alone): every command with its usage and an example.
import type { ReplyLine } from '../chat-adapter.js';
import { privateReply, usageReply, type Command } from './command.js';

const USAGE = 'help.usage' as const;

export default {
  name: 'wirewatch',
  usage: USAGE,
  example: 'help.example',
  async run(ctx) {
    if (ctx.args !== '' && ctx.args.toLowerCase() !== 'help') return usageReply(ctx, USAGE);
    const lines: ReplyLine[] = ctx.commands.map((command) => ({
      text: ctx.t(command.usage),
      meta: ctx.t('help.exampleLabel', { example: ctx.t(command.example) }),
    }));
    return privateReply(true, ctx.t('help.head'), lines);
  },
} satisfies Command;
