import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** Removes the query string and credentials of a URL before it is logged. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    if (u.search) u.search = '?…';
    return u.toString();
  } catch {
    return '[invalid url]';
  }
}

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stderr by default so stdout stays for command output (`poll --json`). */
  destination?: DestinationStream;
  /** `json` lines, or `pretty` for people; default pretty when stderr is a terminal. */
  format?: 'json' | 'pretty' | undefined;
}

/** The root logger. Tokens are redacted wherever they appear under these paths. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: null,
      redact: {
        paths: ['token', '*.token', 'signingSecret', '*.signingSecret', 'authorization', '*.authorization', 'webhookUrl', '*.webhookUrl'],
        censor: '[redacted]',
      },
    },
    options.destination ??
      ((options.format ?? (process.stderr.isTTY ? 'pretty' : 'json')) === 'pretty'
        ? pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })
        : pino.destination(2)),
  );
}
