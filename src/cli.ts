#!/usr/bin/env node
// The `wirewatch` command.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { loadConfig, ConfigError, type Config } from './config.js';
import { describeError } from './errors.js';
import { createLogger, redactUrl, type Logger } from './log.js';
import { alertToJson } from './bots/console-adapter.js';
import { classify } from './relevance/topics.js';
import { classifyRecords, parseClassifyLine } from './relevance/classify-lines.js';
import { inspectFeed } from './sources/feed/inspect-feed.js';
import { fetchErrorCode } from './sources/http/error-code.js';
import { createSafeFetcher, DEFAULT_FETCH_POLICY } from './sources/http/safe-fetch.js';
import { runDemo } from './demo/demo.js';
import { createApp } from './main.js';
import { registerDiscordCommands } from './bots/discord/commands.js';

export interface CliIo {
  /** Where `classify` reads JSON lines; process.stdin by default. */
  stdin?: AsyncIterable<string | Buffer>;
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** The logger; by default pino on stderr at the configured level. */
  logger?: Logger;
}

async function readAll(input: AsyncIterable<string | Buffer>): Promise<string> {
  let text = '';
  for await (const chunk of input) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  return text;
}

/** The id of a line that could not be used, when one can be read from it. */
function idOf(line: string): string | null {
  try {
    const v = JSON.parse(line) as { id?: unknown };
    return typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : null;
  } catch {
    return null;
  }
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** Builds the program; `parseAsync` runs it. Exported so tests drive the real CLI in-process. */
export function createProgram(io: CliIo = defaultIo, status: { exitCode: number } = { exitCode: 0 }): Command {
  const program = new Command();
  const config = (): Config => loadConfig(io.env);
  const logger = (cfg: Config): Logger => io.logger ?? createLogger({ level: cfg.logLevel, format: cfg.logFormat });

  program
    .name('wirewatch')
    .description('Alerts for AI-chip and crypto-market news, in Slack, Discord, webhooks or the console.')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('start')
    .description('run the bot: poll every source on its schedule, deliver alerts, answer slash commands')
    .action(async () => {
      const cfg = config();
      const log = logger(cfg);
      const app = await createApp(cfg, { logger: log, listen: true });
      const stop = async (signal: string) => {
        log.info({ signal }, 'stopping');
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
        await app.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
      if (!cfg.configPath) log.info('no config file: using the built-in catalog and a console channel (see README: Configuration)');
      await app.start();
    });

  program
    .command('poll')
    .description('poll every source once, deliver what is new, and exit')
    .option('--once', 'poll once and exit (the only mode; kept for clarity)')
    .option('--dry-run', 'judge every item now in the feeds against the channels; deliver nothing, remember nothing')
    .option('--json', 'print one JSON object per alert and line')
    .action(async (opts: { once?: boolean; dryRun?: boolean; json?: boolean }) => {
      const cfg = config();
      const log = logger(cfg);
      const json = opts.json === true;
      const app = await createApp(cfg, {
        logger: log,
        listen: false,
        console: { format: json ? 'silent' : 'text', write: io.out },
        ...(json ? { onAlert: (alert, channel) => io.out(alertToJson(alert, channel.adapter, channel.id)) } : {}),
      });
      try {
        if (opts.dryRun) {
          for (const source of cfg.sources.filter((s) => s.enabled)) {
            const preview = await app.pipeline.previewSource(source);
            if (!preview.ok) {
              io.err(`${source.id}: ${preview.error}`);
              continue;
            }
            for (const { alert, channel } of preview.alerts) {
              io.out(json ? alertToJson(alert, channel.adapter, channel.id) : `${channel.adapter}:${channel.id} ← ${alert.title} [${alert.topics.join(', ')}] (${alert.matched.join(', ')})`);
            }
          }
          return;
        }
        const { polls, delivery } = await app.pollOnce();
        const failed = polls.filter((p) => p.outcome === 'failed');
        for (const p of failed) io.err(`${p.sourceId}: ${p.error ?? 'failed'}`);
        if (!json) {
          const seeded = polls.filter((p) => p.outcome === 'seeded').length;
          const alerts = polls.reduce((n, p) => n + p.alerts, 0);
          io.err(`polled ${polls.length} source(s): ${seeded} seeded, ${failed.length} failed, ${alerts} alert(s); delivered ${delivery.delivered}, retrying ${delivery.retried}, dropped ${delivery.dropped}`);
        }
        if (failed.length === polls.length && polls.length > 0) status.exitCode = 1;
      } finally {
        await app.stop();
      }
    });

  const source = program.command('source').description('inspect and re-enable sources (health is kept in the store: set REDIS_URL)');
  source
    .command('list')
    .description('every source with its health, failures, last fetch and last new item')
    .option('--json', 'one JSON object per source and line')
    .action(async (opts: { json?: boolean }) => {
      const cfg = config();
      const app = await createApp(cfg, { logger: logger(cfg), listen: false, console: { format: 'silent' } });
      try {
        for (const s of cfg.sources) {
          const st = await app.store.getFetchState(s.id);
          const row = { id: s.id, kind: s.kind, enabled: s.enabled, health: st.health, failures: st.failures, lastFetchAt: st.lastFetchAt ?? null, lastNewAt: st.lastNewAt ?? null, nextAttemptAt: st.nextAttemptAt ?? null, lastError: st.lastError ?? null, url: redactUrl(s.url) };
          io.out(
            opts.json
              ? JSON.stringify(row)
              : `${s.id.padEnd(26)} ${(s.enabled ? st.health.toUpperCase() : 'OFF').padEnd(9)} ${String(st.failures).padStart(3)} fail  last fetch ${row.lastFetchAt ?? '—'}  last new ${row.lastNewAt ?? '—'}${st.lastError ? `  (${st.lastError})` : ''}`,
          );
        }
      } finally {
        await app.stop();
      }
    });
  source
    .command('enable')
    .description('re-enable a source that was disabled after repeated failures')
    .argument('<id>', 'the source id')
    .action(async (id: string) => {
      const cfg = config();
      if (!cfg.sources.some((s) => s.id === id)) {
        io.err(`wirewatch: no source "${id}" in the configuration (see: wirewatch source list)`);
        status.exitCode = 2;
        return;
      }
      const app = await createApp(cfg, { logger: logger(cfg), listen: false, console: { format: 'silent' } });
      try {
        const st = await app.store.getFetchState(id);
        await app.store.setFetchState(id, { ...st, health: 'ok', failures: 0, nextAttemptAt: undefined });
        io.out(`${id}: enabled (it was ${st.health.toUpperCase()}${st.lastError ? `, last error: ${st.lastError}` : ''}); it is polled at its next tick.`);
        if (!cfg.redis.url) io.err('note: without REDIS_URL the state lives in memory: a running bot does not see this change.');
      } finally {
        await app.stop();
      }
    });

  program
    .command('feed')
    .description('look at one feed as wirewatch sees it')
    .command('test')
    .description('fetch and parse one URL (SSRF rules apply): format, encoding, identity field, newest items and their topics')
    .argument('<url>', 'the feed URL')
    .option('--json', 'one JSON object: {"format","encoding","idField","items":[…]} or {"error":{"code","message"}}')
    .option('-n, --items <count>', 'how many of the newest items to show', '5')
    .action(async (url: string, opts: { json?: boolean; items: string }) => {
      const cfg = config();
      const count = Math.max(1, Math.min(50, Number.parseInt(opts.items, 10) || 5));
      const fetcher = createSafeFetcher({
        ...DEFAULT_FETCH_POLICY,
        allowCidrs: cfg.fetch.allowCidrs,
        timeoutMs: cfg.fetch.timeoutMs,
        maxBytes: cfg.fetch.maxBytes,
        contact: cfg.fetch.contact,
      });
      try {
        const found = await inspectFeed(fetcher, url);
        const items = found.items.slice(0, count);
        if (opts.json) {
          io.out(
            JSON.stringify({
              format: found.format,
              encoding: found.encoding,
              idField: found.idField,
              items: items.map((i) => ({ id: i.key, title: i.title, url: i.url ?? null, published: i.published ?? null })),
            }),
          );
          return;
        }
        io.out(`${found.title ?? '(untitled feed)'} — ${redactUrl(found.url)}`);
        io.out(`format ${found.format} · encoding ${found.encoding} (from ${found.encodingSource}) · identity ${found.idField} · ${found.items.length} item(s)`);
        for (const item of items) {
          const j = classify(item);
          const topics = j.topics.length > 0 ? j.topics.map((t) => `${t} (${j.topicTerms[t].join(', ')})`).join('; ') : 'no topic';
          io.out(`\n• ${item.title}\n  ${item.published ?? 'undated'} · ${item.url ?? 'no link'}\n  ${topics}`);
        }
      } catch (err) {
        const code = fetchErrorCode(err);
        if (opts.json) io.out(JSON.stringify({ error: { code, message: describeError(err) } }));
        else io.err(`wirewatch: ${code}: ${describeError(err)}`);
        status.exitCode = 1;
      } finally {
        await fetcher.close();
      }
    });

  program
    .command('classify')
    .description('judge headlines: with text, explain one; without, read JSON lines from stdin and write one result per line')
    .argument('[text...]', 'a headline (omit it to read JSON lines {"id","title","summary"?,"lang"?,"source"?,"published"?,"url"?} from stdin)')
    .action(async (words: string[]) => {
      if (words.length > 0) {
        const j = classify({ title: words.join(' '), summary: '' });
        io.out(j.topics.length === 0 ? 'no topic' : j.topics.map((t) => `${t}: ${j.topicTerms[t].join(', ')}`).join('\n'));
        return;
      }
      // Every line gets an answer in the same order: a bad line gets {"id","error"} and the run goes on.
      const lines = (await readAll(io.stdin ?? process.stdin)).split(/\r?\n/).filter((l) => l.trim() !== '');
      const parsed = lines.map((line, n) => ({ n, result: parseClassifyLine(line) }));
      const good = parsed.flatMap((p) => (p.result.ok ? [p.result.record] : []));
      const results = classifyRecords(good);
      let next = 0;
      for (const p of parsed) {
        if (p.result.ok) io.out(JSON.stringify(results[next++]));
        else {
          io.out(JSON.stringify({ id: idOf(lines[p.n] ?? ''), error: `line ${p.n + 1}: ${p.result.error}` }));
          status.exitCode = 1;
        }
      }
    });

  program
    .command('register-commands')
    .description('register the Discord slash commands, globally or for one server (DISCORD_GUILD_ID or --guild)')
    .option('--guild <id>', 'register in this server only: visible at once (global commands can take a while to appear)')
    .action(async (opts: { guild?: string }) => {
      const cfg = config();
      if (!cfg.discord) {
        io.err('wirewatch: DISCORD_TOKEN is not set: nothing to register (Slack commands are created in the Slack app settings, see README)');
        status.exitCode = 2;
        return;
      }
      const guildId = opts.guild ?? cfg.discord.guildId;
      const r = await registerDiscordCommands({ token: cfg.discord.token, apiUrl: cfg.discord.apiUrl, guildId, logger: logger(cfg) });
      io.out(`registered ${r.count} Discord command(s) ${r.scope === 'guild' ? `in server ${guildId ?? ''}` : 'globally'}`);
    });

  program
    .command('demo')
    .description('a one-minute offline demo: local feeds, in-process store, console alerts')
    .option('--fast', 'no pauses between steps')
    .action(async (opts: { fast?: boolean }) => {
      await runDemo({ out: io.out, pauseMs: opts.fast ? 0 : 1200, ...(io.logger ? { logger: io.logger } : {}) });
    });

  return program;
}

/** Runs the CLI; a bad config or an unexpected error prints one clear message and exits non-zero. */
export async function main(argv: string[] = process.argv, io: CliIo = defaultIo): Promise<number> {
  const status = { exitCode: 0 };
  const program = createProgram(io, status).exitOverride();
  try {
    await program.parseAsync(argv);
    return status.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ConfigError) {
      io.err(`wirewatch: ${err.message}`);
      return 2;
    }
    io.err(`wirewatch: ${describeError(err)}`);
    return 1;
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main().then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`wirewatch: ${describeError(err)}\n`);
      process.exit(1);
    },
  );
}
