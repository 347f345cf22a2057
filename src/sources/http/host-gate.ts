// Per-host politeness: at most `concurrency` requests in flight to one host, starts at least
// `spacingMs` apart, and none before a "not before" time the host asked for (Retry-After). One
// lane per host (running count, waiting list by priority), dropped once the host is idle and its
// times have passed, so the map holds only hosts touched recently. Most runs find their host's lane
// free with nothing to wait out: those start at once, with no queue, promise or timer of the gate's.

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

interface Waiter {
  priority: number;
  /** Hands the waiter a slot (already counted in `running`). */
  grant: () => void;
}

interface Lane {
  /** Tasks holding a slot: waiting out spacing or a hold, or running. */
  running: number;
  /** Tasks waiting for a slot, highest priority first, first come first within a priority. */
  waiting: Waiter[];
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

/** Creates a gate; `concurrency` below 1 is treated as 1, negative spacing as 0. */
export function createHostGate(options: HostGateOptions): HostGate {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const spacingMs = Math.max(0, options.spacingMs);
  const now = options.now ?? Date.now;
  const lanes = new Map<string, Lane>();
  /** Earliest time an idle lane that is still remembered (spacing or hold running) may be forgotten. */
  let sweepAt = Number.POSITIVE_INFINITY;

  /** An idle lane is kept until its spacing and hold have passed: a new task must still honour them. */
  function idleUntil(lane: Lane): number {
    return Math.max(lane.nextStartAt, lane.holdUntil);
  }

  function laneFor(host: string): Lane {
    let lane = lanes.get(host);
    if (lane === undefined) {
      // Forget idle hosts whose times have passed; swept only when a host is added and one may be due.
      const at = now();
      if (sweepAt <= at) {
        sweepAt = Number.POSITIVE_INFINITY;
        for (const [key, other] of lanes) {
          if (other.running > 0) continue;
          const until = idleUntil(other);
          if (until <= at) lanes.delete(key);
          else sweepAt = Math.min(sweepAt, until);
        }
      }
      lane = { running: 0, waiting: [], nextStartAt: 0, holdUntil: 0, refuse: undefined };
      lanes.set(host, lane);
    }
    return lane;
  }

  /** Gives the slot to the next waiter, or lets an idle lane go. */
  function release(host: string, lane: Lane): void {
    const next = lane.waiting.shift();
    if (next !== undefined) {
      next.grant();
      return;
    }
    lane.running--;
    if (lane.running > 0) return;
    const until = idleUntil(lane);
    if (until <= now()) {
      if (lanes.get(host) === lane) lanes.delete(host);
    } else sweepAt = Math.min(sweepAt, until);
  }

  /** Waits for a slot; the waiter leaves the line when `signal` aborts. */
  function acquire(lane: Lane, priority: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      if (lane.running < concurrency && lane.waiting.length === 0) {
        lane.running++;
        resolve();
        return;
      }
      const onAbort = () => {
        const index = lane.waiting.indexOf(waiter);
        if (index >= 0) lane.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        priority,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      let at = lane.waiting.length;
      while (at > 0 && (lane.waiting[at - 1]?.priority ?? 0) < priority) at--;
      lane.waiting.splice(at, 0, waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
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
      // The common case: a free slot, nobody ahead, no spacing or hold left to wait out.
      if (lane.running < concurrency && lane.waiting.length === 0 && signal?.aborted !== true) {
        const at = now();
        if (lane.nextStartAt <= at && lane.holdUntil <= at) {
          lane.running++;
          lane.nextStartAt = at + spacingMs;
          try {
            return await task();
          } finally {
            release(host, lane);
          }
        }
      }
      await acquire(lane, runOptions.priority ?? 0, signal);
      try {
        await waitToStart(lane, signal, runOptions.maxHoldWaitMs ?? Number.POSITIVE_INFINITY);
        return await task();
      } finally {
        release(host, lane);
      }
    },

    hold(host, untilMs, refuse) {
      const lane = laneFor(host);
      lane.holdUntil = untilMs;
      lane.refuse = refuse;
      if (lane.running === 0) sweepAt = Math.min(sweepAt, idleUntil(lane));
    },

    get trackedHosts() {
      return lanes.size;
    },
  };
}
