import { pino, type Logger, type DestinationStream } from 'pino';

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
    options.destination ?? pino.destination(2),
  );
}
