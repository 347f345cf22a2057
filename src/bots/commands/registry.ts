// Every slash command, by name, in the order `/wirewatch help` lists them.
import type { CommandName } from '../chat-adapter.js';
import alerts from './alerts.js';
import type { Command } from './command.js';
import help from './help.js';
import news from './news.js';
import price from './price.js';
import source from './source.js';
import status from './status.js';
import watch from './watch.js';

/** The command for each name; a missing name fails to compile. */
export const COMMANDS = {
  watch,
  source,
  news,
  alerts,
  price,
  status,
  wirewatch: help,
} as const satisfies Record<CommandName, Command>;
