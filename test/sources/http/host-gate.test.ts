// The per-host gate on its own: forgetting idle hosts (the map stays small), holds that fail fast,
// priorities for redirect hops, and a caller that stops waiting without breaking the queue.
import { describe, expect, it } from 'vitest';
import { createHostGate } from '../../../src/sources/http/host-gate.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createHostGate', () => {
  it('forgets a host once it is idle and its spacing has passed', async () => {
    let now = 1_000_000;
    const gate = createHostGate({ concurrency: 2, spacingMs: 1000, now: () => now });
    await gate.run('a.example', async () => 'done');
    expect(gate.trackedHosts).toBe(1); // its spacing still runs: a new fetch must wait
    now += 1001;
    await gate.run('b.example', async () => 'done');
    expect(gate.trackedHosts).toBe(1); // a.example swept when b.example came
  });

  it('stays small over a thousand hosts polled once each', async () => {
    let now = 0;
    const gate = createHostGate({ concurrency: 2, spacingMs: 1000, now: () => now });
    for (let i = 0; i < 1000; i++) {
      await gate.run(`host${i}.example`, async () => undefined);
      now += 600;
    }
    expect(gate.trackedHosts).toBeLessThanOrEqual(2);
    const unspaced = createHostGate({ concurrency: 2, spacingMs: 0 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => unspaced.run(`h${i % 10}.example`, async () => i)));
    expect(unspaced.trackedHosts).toBe(0);
  });

  it('returns what the task returns and rethrows what it throws, freeing the slot either way', async () => {
    const gate = createHostGate({ concurrency: 1, spacingMs: 0 });
    await expect(gate.run('h', async () => 42)).resolves.toBe(42);
    await expect(gate.run('h', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run('h', async () => 'still works')).resolves.toBe('still works');
  });

  it('fails fast with the hold error when the hold is longer than the caller will wait, without running the task', async () => {
    let now = 5000;
    const gate = createHostGate({ concurrency: 1, spacingMs: 0, now: () => now });
    gate.hold('h', now + 30_000, (remaining) => new Error(`held for ${remaining} ms`));
    let ran = false;
    const task = async () => {
      ran = true;
    };
    await expect(gate.run('h', task, { maxHoldWaitMs: 1000 })).rejects.toThrow('held for 30000 ms');
    expect(ran).toBe(false);
    now += 30_000;
    await gate.run('h', task, { maxHoldWaitMs: 1000 });
    expect(ran).toBe(true);
  });

  it('runs a higher priority first among waiting tasks', async () => {
    const gate = createHostGate({ concurrency: 1, spacingMs: 0 });
    const blocker = deferred();
    const order: string[] = [];
    const first = gate.run('h', () => blocker.promise);
    const low = gate.run('h', async () => void order.push('first fetch'), { priority: 0 });
    const hop = gate.run('h', async () => void order.push('redirect hop'), { priority: 1 });
    blocker.resolve();
    await Promise.all([first, low, hop]);
    expect(order).toEqual(['redirect hop', 'first fetch']);
  });

  it('lets a caller stop waiting for its turn; its task never runs and the queue goes on', async () => {
    const gate = createHostGate({ concurrency: 1, spacingMs: 0 });
    const blocker = deferred();
    const busy = gate.run('h', () => blocker.promise);
    const controller = new AbortController();
    let ran = false;
    const waiting = gate.run(
      'h',
      async () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    controller.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
    blocker.resolve();
    await busy;
    await expect(gate.run('h', async () => 'next')).resolves.toBe('next');
    expect(ran).toBe(false);
    expect(gate.trackedHosts).toBe(0);
  });

  it('starts a task at once when its host is free, and counts it against the host\'s concurrency', async () => {
    const gate = createHostGate({ concurrency: 2, spacingMs: 0 });
    const blockers = Array.from({ length: 5 }, deferred);
    let inFlight = 0;
    let maxInFlight = 0;
    const started: number[] = [];
    const runs = blockers.map((blocker, i) =>
      gate.run('h', async () => {
        started.push(i);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await blocker.promise;
        inFlight--;
      }),
    );
    expect(started).toEqual([0, 1]); // the free slots were taken before run() returned
    for (const blocker of blockers) blocker.resolve();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(maxInFlight).toBe(2);
    expect(gate.trackedHosts).toBe(0);
  });

  it('runs tasks of equal priority in the order they came', async () => {
    const gate = createHostGate({ concurrency: 1, spacingMs: 0 });
    const blocker = deferred();
    const order: number[] = [];
    const first = gate.run('h', () => blocker.promise);
    const rest = [1, 2, 3, 4].map((n) => gate.run('h', async () => void order.push(n), { priority: n % 2 }));
    blocker.resolve();
    await Promise.all([first, ...rest]);
    expect(order).toEqual([1, 3, 2, 4]);
  });

  it('frees the slot of a caller that stops waiting while it waits out the spacing', async () => {
    let now = 0;
    const gate = createHostGate({ concurrency: 1, spacingMs: 60_000, now: () => now });
    await gate.run('h', async () => undefined);
    const controller = new AbortController();
    let ran = false;
    const spaced = gate.run(
      'h',
      async () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    controller.abort(new Error('deadline'));
    await expect(spaced).rejects.toThrow('deadline');
    expect(ran).toBe(false);
    now += 60_000;
    await expect(gate.run('h', async () => 'next')).resolves.toBe('next');
  });

  it('remembers a hold on an idle host until it has passed, then forgets the host', async () => {
    let now = 0;
    const gate = createHostGate({ concurrency: 1, spacingMs: 0, now: () => now });
    gate.hold('held.example', 30_000, (remaining) => new Error(`held ${remaining}`));
    await gate.run('other.example', async () => undefined);
    expect(gate.trackedHosts).toBe(1);
    await expect(gate.run('held.example', async () => 'ran', { maxHoldWaitMs: 1000 })).rejects.toThrow('held 30000');
    now = 30_000;
    await gate.run('third.example', async () => undefined);
    expect(gate.trackedHosts).toBe(0);
  });
});
