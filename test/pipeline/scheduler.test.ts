// The real node-cron schedule: one task per source, never overlapping itself, one failing source
// never stopping another. Uses a one-second cron so the test waits about three seconds.
import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/domain.js';
import { createLogger } from '../../src/log.js';
import { createScheduler, defaultJitterMs, sourcePattern } from '../../src/pipeline/scheduler.js';

const source = (id: string, extra: Partial<SourceConfig> = {}): SourceConfig => ({ id, kind: 'feed', options: {}, name: undefined, url: 'http://127.0.0.1/', every: undefined, cron: '* * * * * *', enabled: true, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduler', () => {
  it('turns every: into a cron pattern and keeps cron: as given', () => {
    expect(sourcePattern(source('a', { cron: undefined, every: '30s' }))).toBe('*/30 * * * * *');
    expect(sourcePattern(source('a', { cron: undefined, every: '5m' }))).toBe('0 */5 * * * *');
    expect(sourcePattern(source('a', { cron: undefined, every: '1h' }))).toBe('0 0 */1 * * *');
    expect(sourcePattern(source('a', { cron: '*/10 * * * *' }))).toBe('*/10 * * * *');
  });

  it('spreads fires by a tenth of the interval, at most a minute', () => {
    expect(defaultJitterMs('0 */5 * * * *')).toBe(30_000);
    expect(defaultJitterMs('*/30 * * * * *')).toBe(3_000);
    expect(defaultJitterMs('0 0 */1 * * *')).toBe(60_000);
  });

  it('runs each source on its schedule without overlapping runs, and a failing source does not stop the others', async () => {
    let running = 0;
    let maxRunning = 0;
    const runs: Record<string, number> = { slow: 0, failing: 0, off: 0 };
    const scheduler = createScheduler({
      sources: [source('slow'), source('failing'), source('off', { enabled: false })],
      logger: createLogger({ level: 'silent' }),
      maxJitterMs: 0,
      run: async (s) => {
        runs[s.id] = (runs[s.id] ?? 0) + 1;
        if (s.id === 'failing') throw new Error('feed is down');
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await sleep(1600);
        running -= 1;
      },
    });
    await scheduler.start({ runNow: true });
    await sleep(3300);
    await scheduler.stop();
    expect(maxRunning).toBe(1);
    expect(runs.slow).toBeGreaterThanOrEqual(2);
    expect(runs.slow).toBeLessThanOrEqual(3);
    expect(runs.failing).toBeGreaterThanOrEqual(3);
    expect(runs.off).toBe(0);
    const after = { ...runs };
    await sleep(1200);
    expect(runs).toEqual(after);
  });
});
