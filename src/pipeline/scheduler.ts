// One node-cron task per source. A source never overlaps itself; one source's failure never
// stops the others (the poll function reports failures instead of throwing). Sources can be
// added and removed while running (sources added in chat).
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
  /**
   * Makes the scheduled set equal to `sources`: new ones start (and poll right away), removed ones
   * stop, changed ones restart. Answers how many were added and removed.
   */
  sync(sources: readonly SourceConfig[]): Promise<{ added: number; removed: number }>;
  /** Ids of the sources scheduled now. */
  scheduled(): string[];
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

const signature = (s: SourceConfig): string => JSON.stringify([s.url, s.kind, s.options, s.every, s.cron, s.enabled]);

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { logger } = options;
  const tasks = new Map<string, { task: ScheduledTask; signature: string }>();
  const inFlight = new Set<Promise<unknown>>();
  const busy = new Set<string>();
  let started = false;

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

  async function add(source: SourceConfig, runNow: boolean): Promise<void> {
    const tick = guarded(source);
    const pattern = sourcePattern(source);
    const task = createTask(pattern, tick, {
      name: `source:${source.id}`,
      noOverlap: true,
      maxRandomDelay: options.maxJitterMs ?? defaultJitterMs(pattern),
    });
    tasks.set(source.id, { task, signature: signature(source) });
    await task.start();
    if (runNow) void tick();
  }

  async function remove(id: string): Promise<void> {
    const entry = tasks.get(id);
    tasks.delete(id);
    await entry?.task.destroy();
  }

  return {
    async start(startOptions = {}) {
      started = true;
      for (const source of options.sources) if (source.enabled) await add(source, startOptions.runNow ?? false);
      logger.info({ sources: tasks.size }, 'scheduler started');
    },
    async sync(sources) {
      if (!started) return { added: 0, removed: 0 };
      const wanted = new Map(sources.filter((s) => s.enabled).map((s) => [s.id, s]));
      let added = 0;
      let removed = 0;
      for (const [id, entry] of [...tasks]) {
        const next = wanted.get(id);
        if (!next || signature(next) !== entry.signature) {
          await remove(id);
          removed += 1;
        }
      }
      for (const [id, source] of wanted) {
        if (tasks.has(id)) continue;
        await add(source, true);
        added += 1;
      }
      if (added + removed > 0) logger.info({ added, removed, sources: tasks.size }, 'sources changed');
      return { added, removed };
    },
    scheduled: () => [...tasks.keys()],
    async stop() {
      started = false;
      await Promise.all([...tasks.values()].map((t) => t.task.destroy()));
      tasks.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}
