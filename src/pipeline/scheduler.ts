// One node-cron task per source. A source never overlaps itself; one source's failure never
// stops the others (the poll function reports failures instead of throwing).
import { createTask, type ScheduledTask } from 'node-cron';
import type { SourceConfig } from '../domain.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { cronMinGapMs, everyToCron } from '../schedule-spec.js';

export interface SchedulerOptions {
  sources: readonly SourceConfig[];
  logger: Logger;
  /** The work of one tick for one source. */
  run: (source: SourceConfig) => Promise<unknown>;
  /**
   * Upper bound of the random delay added to each tick, in ms, so 1,000 sources do not fire in the
   * same second; by default a tenth of the source's interval, at most a minute.
   */
  maxJitterMs?: number;
}

export interface Scheduler {
  /** Starts every enabled source's task; with `runNow`, each source also polls right away. */
  start(options?: { runNow?: boolean }): Promise<void>;
  /** Stops the tasks and waits for the runs in progress. */
  stop(): Promise<void>;
}

/** The cron pattern of a source (config validation already refused bad ones). */
export function sourcePattern(source: SourceConfig): string {
  if (source.cron) return source.cron;
  const r = everyToCron(source.every ?? '5m');
  if (!r.ok) throw new Error(`source ${source.id}: ${r.reason}`);
  return r.cron;
}

/** A tenth of the interval between two fires, capped at a minute. */
export function defaultJitterMs(pattern: string): number {
  return Math.min(60_000, Math.floor(cronMinGapMs(pattern) / 10));
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { logger } = options;
  const tasks: ScheduledTask[] = [];
  const inFlight = new Set<Promise<unknown>>();

  const busy = new Set<string>();

  // node-cron's noOverlap covers scheduled fires; this also covers the immediate first run.
  const guarded = (source: SourceConfig) => async () => {
    if (busy.has(source.id)) {
      logger.debug({ source: source.id }, 'previous run still in progress: tick skipped');
      return;
    }
    busy.add(source.id);
    const run = options.run(source).catch((err: unknown) => {
      logger.error({ source: source.id, err: describeError(err) }, 'scheduled run failed');
    });
    inFlight.add(run);
    try {
      await run;
    } finally {
      inFlight.delete(run);
      busy.delete(source.id);
    }
  };

  return {
    async start(startOptions = {}) {
      for (const source of options.sources) {
        if (!source.enabled) continue;
        const tick = guarded(source);
        const pattern = sourcePattern(source);
        const task = createTask(pattern, tick, {
          name: `source:${source.id}`,
          noOverlap: true,
          maxRandomDelay: options.maxJitterMs ?? defaultJitterMs(pattern),
        });
        tasks.push(task);
        await task.start();
        if (startOptions.runNow) void tick();
      }
      logger.info({ sources: tasks.length }, 'scheduler started');
    },
    async stop() {
      await Promise.all(tasks.map((t) => t.destroy()));
      tasks.length = 0;
      await Promise.allSettled([...inFlight]);
    },
  };
}
