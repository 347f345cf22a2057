// Per-host politeness: at most `concurrency` requests in flight to one host, starts at least
// `spacingMs` apart, and none before a "not before" time the host asked for (Retry-After). One
// p-queue per host, dropped once the host is idle and its times have passed, so the map holds only
// hosts touched recently.
import PQueue from 'p-queue';

/** How polite to be with each host. */
export interface HostGateOptions {
  /** Requests in flight to one host at once (≥ 1). */
  concurrency: number;
  /** Minimum time between the starts of two requests to one host, in ms (0 = no spacing). */
  spacingMs: number;
  /** Clock in ms since the epoch; tests may replace it. */
  now?: () => number;
}

/** Options for one `run`. */
export interface RunOptions {
  /** Higher runs first among the host's waiting tasks (used for redirect hops already under way). */
  priority?: number;
  /** Aborts the wait for a turn (queue, spacing or hold); once the task runs, the task handles it. */
  signal?: AbortSignal | undefined;
  /** A hold longer than this, in ms, fails at once with the hold's error instead of being waited out. */
  maxHoldWaitMs?: number;
}

/** Runs tasks against hosts, one queue per host. */
export interface HostGate {
  /** Waits for `host`'s turn (concurrency, spacing, hold), then runs `task` in that turn. */
  run<T>(host: string, task: () => Promise<T>, options?: RunOptions): Promise<T>;
  /**
   * Asks that nothing start against `host` before `untilMs` (epoch ms). `refuse(remainingMs)` makes
   * the error for a caller that will not wait that long. A later hold replaces an earlier one.
   */
  hold(host: string, untilMs: number, refuse: (remainingMs: number) => Error): void;
  /** How many hosts the gate currently remembers (for tests: idle hosts are forgotten). */
  readonly trackedHosts: number;
}

interface Lane {
  queue: PQueue;
  /** Queued plus running tasks. */
  active: number;
  /** Earliest start for the next task, from spacing (epoch ms). */
  nextStartAt: number;
  holdUntil: number;
  refuse: ((remainingMs: number) => Error) | undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Rejects when `signal` aborts; never settles otherwise. The listener is removed by `dispose`. */
function abortion(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let onAbort = () => undefined as void;
  const promise = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** Creates a gate; `concurrency` below 1 is treated as 1, negative spacing as 0. */
export function createHostGate(options: HostGateOptions): HostGate {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const spacingMs = Math.max(0, options.spacingMs);
  const now = options.now ?? Date.now;
  const lanes = new Map<string, Lane>();

  function forgettable(lane: Lane, at: number): boolean {
    return lane.active === 0 && lane.nextStartAt <= at && lane.holdUntil <= at;
  }

  function laneFor(host: string): Lane {
    let lane = lanes.get(host);
    if (lane === undefined) {
      // Forget idle hosts whose times have passed; a cheap sweep, done only when a host is added.
      const at = now();
      for (const [key, other] of lanes) if (forgettable(other, at)) lanes.delete(key);
      lane = { queue: new PQueue({ concurrency }), active: 0, nextStartAt: 0, holdUntil: 0, refuse: undefined };
      lanes.set(host, lane);
    }
    return lane;
  }

  /** Inside a turn: waits out spacing and hold, re-checking after each sleep (another turn may have moved them). */
  async function waitToStart(lane: Lane, signal: AbortSignal | undefined, maxHoldWaitMs: number): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const at = now();
      const holdRemaining = lane.holdUntil - at;
      if (holdRemaining > maxHoldWaitMs && lane.refuse !== undefined) throw lane.refuse(holdRemaining);
      const startAt = Math.max(at, lane.nextStartAt, lane.holdUntil);
      if (startAt <= at) {
        lane.nextStartAt = at + spacingMs;
        return;
      }
      await sleep(startAt - at, signal);
    }
  }

  return {
    async run<T>(host: string, task: () => Promise<T>, runOptions: RunOptions = {}): Promise<T> {
      const lane = laneFor(host);
      const { signal } = runOptions;
      const maxHoldWaitMs = runOptions.maxHoldWaitMs ?? Number.POSITIVE_INFINITY;
      lane.active++;
      let abandoned = false;
      const turn = lane.queue.add(
        async (): Promise<{ value: T } | undefined> => {
          // The caller stopped waiting before our turn came: give the turn back untouched.
          if (abandoned) return undefined;
          await waitToStart(lane, signal, maxHoldWaitMs);
          return { value: await task() };
        },
        { priority: runOptions.priority ?? 0 },
      );
      const settled = turn.finally(() => {
        lane.active--;
        if (forgettable(lane, now()) && lanes.get(host) === lane) lanes.delete(host);
      });
      let aborted: { promise: Promise<never>; dispose: () => void } | undefined;
      try {
        if (signal !== undefined) aborted = abortion(signal);
        const result = await (aborted === undefined ? settled : Promise.race([settled, aborted.promise]));
        if (result === undefined) throw new Error('host gate: a turn ended without running its task');
        return result.value;
      } catch (err) {
        abandoned = true;
        settled.catch(() => undefined);
        throw err;
      } finally {
        aborted?.dispose();
      }
    },

    hold(host, untilMs, refuse) {
      const lane = laneFor(host);
      lane.holdUntil = untilMs;
      lane.refuse = refuse;
    },

    get trackedHosts() {
      return lanes.size;
    },
  };
}
