// The benches' own concurrency limit: `limit` lanes, each taking the next item when its last one is
// done. A queue library would do the same at a few µs a task, which the CPU figures would then
// charge to the bot under test; the bot itself polls from node-cron ticks, not from a queue.

/** Runs `work` on every item, at most `limit` at once; rejects with the first failure. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
