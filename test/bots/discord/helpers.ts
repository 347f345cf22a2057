// Shared fixtures for the Discord tests: an alert builder and a logger whose lines tests can read.
import type { Alert } from '../../../src/domain.js';
import { createLogger, type Logger } from '../../../src/log.js';

/** A plausible alert; override any field. */
export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    channel: 'discord:300000000000000001',
    title: 'Nvidia unveils a new AI chip',
    url: 'https://example.com/nvidia',
    source: 'Example News',
    sourceId: 'example',
    published: '2025-01-02T03:04:05.000Z',
    topics: ['ai-chips'],
    matched: ['nvidia', 'ai chip'],
    summary: 'The company said the chip doubles throughput.',
    ...overrides,
  };
}

/** A pino logger writing JSON lines into `lines`. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>>; text: () => string } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: {
      write(chunk: string) {
        lines.push(JSON.parse(chunk) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines, text: () => lines.map((l) => JSON.stringify(l)).join('\n') };
}
