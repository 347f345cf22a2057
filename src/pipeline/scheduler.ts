// One node-cron task per source. A source never overlaps itself; one source's failure never
// stops the others (the poll function reports failures instead of throwing). Sources can be
// added and removed while running (sources added in chat). With a run coordinator (several
// processes on one Redis), each fire runs in one process of the fleet: node-cron's `distributed`.
import { createHash } from 'node:crypto';
import { createTask, type Logger as CronLogger, type RunCoordinator, type ScheduledTask } from 'node-cron';
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
  /**
   * Decides which process of the fleet runs each fire (`createRedisRunCoordinator`); without one,
   * every fire runs here (a single process, the in-process store).
   */
  coordinator?: RunCoordinator;
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

/** Shortest time a fire's coordination key is kept, in ms (node-cron's own default). */
const MIN_RUN_LEASE_MS = 30_000;
/** Longest, in ms: a daily cron keeps one key per source for a day, no more. */
const MAX_RUN_LEASE_MS = 86_400_000;

/**
 * How long the key of one fire lives, in ms: at least one interval, so the immediate poll of a
 * process that starts (or picks up a new source) is skipped when another process polled in this
 * interval, and a process that fires late never runs the same slot again.
 */
export function runLeaseMs(pattern: string): number {
  return Math.min(MAX_RUN_LEASE_MS, Math.max(MIN_RUN_LEASE_MS, cronMinGapMs(pattern)));
}

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

  const { coordinator } = options;
  // node-cron's own messages (missed fires, coordinator failures) as structured log lines, not console text.
  const errText = (err: unknown): string | undefined => (err === undefined ? undefined : describeError(err));
  const cronLogger: CronLogger = {
    info: (message) => logger.debug({ part: 'node-cron' }, message),
    debug: (message, err) => logger.debug({ part: 'node-cron', err: errText(err) }, String(message)),
    warn: (message) => logger.warn({ part: 'node-cron' }, message),
    error: (message, err) => logger.warn({ part: 'node-cron', err: errText(err ?? (message instanceof Error ? message : undefined)) }, message instanceof Error ? 'node-cron error' : message),
  };

  /**
   * The immediate poll of a source that starts here. With a fleet, it is coordinated too: its key
   * names the source's settings and lives one interval, so when three processes start together
   * (or all pick up a source added in chat) one polls right away and the others wait for the tick.
   */
  async function runNowOnce(source: SourceConfig, pattern: string, tick: () => Promise<void>): Promise<void> {
    if (coordinator) {
      const version = createHash('sha256').update(signature(source)).digest('hex').slice(0, 12);
      const key = `source:${source.id}:start:${version}`;
      try {
        if (!(await coordinator.shouldRun(key, cronMinGapMs(pattern)))) {
          logger.debug({ source: source.id }, 'another process polled this source at its start');
          return;
        }
      } catch (err) {
        logger.warn({ source: source.id, err: describeError(err) }, 'run coordinator unavailable: first poll left to the schedule');
        return;
      }
    }
    if (started) await tick();
  }

  async function add(source: SourceConfig, runNow: boolean): Promise<void> {
    const tick = guarded(source);
    const pattern = sourcePattern(source);
    const task = createTask(pattern, tick, {
      name: `source:${source.id}`,
      noOverlap: true,
      maxRandomDelay: options.maxJitterMs ?? defaultJitterMs(pattern),
      logger: cronLogger,
      ...(coordinator ? { distributed: true, runCoordinator: coordinator, distributedLease: runLeaseMs(pattern) } : {}),
    });
    if (coordinator) {
      task.on('execution:skipped', (ctx) => {
        if (ctx.reason === 'coordinator-error') logger.warn({ source: source.id }, 'run coordinator unavailable: tick skipped');
      });
    }
    tasks.set(source.id, { task, signature: signature(source) });
    await task.start();
    if (runNow) void runNowOnce(source, pattern, tick);
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
