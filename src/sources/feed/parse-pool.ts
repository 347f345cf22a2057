// Feed parsing off the main thread. A feed is parsed synchronously (fast-xml-parser builds the
// whole document), so on the main thread a hostile or huge feed stops everything else: a 5 MiB
// feed of tiny items takes ~10 s, one of nested elements needs ~220 MB of heap. In a worker
// thread the bot keeps answering commands and delivering while feeds are parsed, a parse that
// runs past `timeoutMs` is stopped (the worker is terminated and replaced), a parse that needs
// more than `maxHeapMb` kills only its worker (V8's per-isolate limit), and the main heap no
// longer fills with parsing garbage. Each of these becomes the poll's `parse_failed` error, and
// the next job gets a fresh worker. Parsing on several cores also raises throughput when many
// feeds change at once. Each worker is handed up to `JOBS_PER_WORKER` jobs at a time and runs
// them in order: a worker that finds the next job already waiting does not go to sleep and get
// woken for it, which cost ~110 µs of CPU a job (over a third of the parse of two new items).
// Hand-written: the scheduling is a queue and a short line per worker; no pool library gives
// per-job deadlines with terminate-and-replace and per-worker heap limits together.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { setImmediate as atCheckPhase } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as EsbuildApi from 'esbuild';
import { WirewatchError, type ErrorCode } from '../../errors.js';
import { parseHere, type ParseJob, type ParseJobResult } from './parse-job.js';

export type { ParseJob, ParseJobResult } from './parse-job.js';

export interface ParsePoolOptions {
  /** Worker threads; 0 parses on the calling thread (no isolation). Default: `defaultParseWorkers()`. */
  size?: number;
  /** Longest a parse may run before its worker is stopped, in ms. Default 20 s. */
  timeoutMs?: number;
  /** Heap of each worker (V8 old generation), in MB. Default 128. */
  maxHeapMb?: number;
  /**
   * Young generation of each worker, in MB: parse garbage dies young. Default 32: with 8, the
   * worker scavenged every few parses and a changed poll cost ~20 % more CPU in all
   * (bench/profile.ts advance), while peak RSS at 10,000 sources stayed 193 MB with 32.
   */
  youngHeapMb?: number;
}

/** Parses feed bodies; `parse` rejects with `WirewatchError('parse_failed')` for anything the body causes. */
export interface ParsePool {
  parse(job: ParseJob): Promise<ParseJobResult>;
  /** Workers now running (0 for an inline pool). */
  readonly threads: number;
  close(): Promise<void>;
}

export const PARSE_POOL_DEFAULTS = { timeoutMs: 20_000, maxHeapMb: 128, youngHeapMb: 32 } as const;

/**
 * Parse threads when none are configured: one core is left to the main thread (it fetches,
 * hashes, claims and judges, as busy as the parsing while many feeds change), up to two threads.
 * On two cores a second parse thread mostly competes with the main thread for CPU, and costs
 * 25–30 MB of RSS (its own V8 heap and copy of the parser's code): in `npm run bench`'s
 * 10,000-source check one thread keeps a changed cycle's wall time (~5 s) and makes only the
 * first poll of every feed at once, 10,000 full parses, 10–25 % slower.
 */
export function defaultParseWorkers(cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(2, cores - 1));
}

/** Messages between the pool and a worker (parse-worker.ts): the jobs handed over in one turn of the event loop, and one reply per job. */
export interface WorkerJobs {
  jobs: Array<{ id: number; job: ParseJob }>;
}
export type WorkerReply = { ready: true } | { id: number; ok: true; result: ParseJobResult } | { id: number; ok: false; code: ErrorCode; message: string };

/** A pool that parses on the calling thread: for one-shot commands and for `size: 0`. */
export function inlineParsePool(): ParsePool {
  return {
    threads: 0,
    parse: parseHere,
    close: async () => {},
  };
}

/**
 * How to start a worker: the compiled JavaScript next to this file; or, when this module runs as
 * TypeScript (tests, the bench, under tsx), the worker's TypeScript bundled by esbuild and run as
 * code (Node 20 workers do not inherit tsx's loader). Bundled once per process.
 */
let typescriptBundle: string | undefined;
function workerEntry(): { script: URL | string; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { script: new URL('./parse-worker.js', import.meta.url), eval: false };
  if (typescriptBundle === undefined) {
    const esbuild = createRequire(import.meta.url)('esbuild') as typeof EsbuildApi;
    const built = esbuild.buildSync({
      entryPoints: [fileURLToPath(new URL('./parse-worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    typescriptBundle = built.outputFiles[0]?.text ?? '';
  }
  return { script: typescriptBundle, eval: true };
}

interface Pending {
  id: number;
  job: ParseJob;
  resolve: (result: ParseJobResult) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The worker has loaded its code (a job's deadline never counts a worker's start). */
  ready: boolean;
  /** Jobs sent and not answered, in the order the worker runs them: the first is running. */
  jobs: Pending[];
  /** The deadline of the running job. */
  timer: NodeJS.Timeout | undefined;
  /** Jobs of `jobs` not posted yet: they leave together at the end of this turn of the event loop (`start`). */
  unsent: Pending[];
}

/**
 * Jobs handed to one worker at a time. The first runs; the others wait in the worker's message
 * queue, so it goes from one to the next without sleeping (measured: 275 instead of 385 µs of CPU
 * in all for a feed's two new items, eight callers; `bench/profile.ts advance` 7–12 % less, whole
 * bench runs 2–9 %). A job's deadline starts when the one before it is answered, so waiting there
 * never counts against it; when a worker is stopped, the jobs waiting behind the one that caused
 * it go back to the queue.
 */
export const JOBS_PER_WORKER = 4;

export function createParsePool(options: ParsePoolOptions = {}): ParsePool {
  const size = options.size ?? defaultParseWorkers();
  if (size <= 0) return inlineParsePool();
  const timeoutMs = options.timeoutMs ?? PARSE_POOL_DEFAULTS.timeoutMs;
  const maxHeapMb = options.maxHeapMb ?? PARSE_POOL_DEFAULTS.maxHeapMb;
  const youngHeapMb = options.youngHeapMb ?? PARSE_POOL_DEFAULTS.youngHeapMb;
  const entry = workerEntry();
  const queue: Pending[] = [];
  const slots = new Set<Slot>();
  let nextId = 1;
  let closed = false;

  /**
   * Ends the slot's running job with `err` and replaces its worker (a crashed, stopped or overfull
   * one is not reused); the jobs waiting behind it go back to the front of the queue, in order.
   */
  function retire(slot: Slot, err: Error): void {
    if (!slots.delete(slot)) return;
    if (slot.timer) clearTimeout(slot.timer);
    const [running, ...waiting] = slot.jobs;
    slot.jobs = [];
    slot.unsent = [];
    slot.worker.removeAllListeners();
    // An exit after retirement is expected; errors from a terminating worker mean nothing now.
    slot.worker.on('error', () => {});
    void slot.worker.terminate();
    queue.unshift(...waiting);
    running?.reject(err);
    pump();
  }

  /** Starts the deadline of the slot's running job, if any. */
  function arm(slot: Slot): void {
    if (slot.jobs.length === 0) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = undefined;
      return;
    }
    if (slot.timer) {
      slot.timer.refresh();
      return;
    }
    slot.timer = setTimeout(() => retire(slot, new WirewatchError('parse_failed', `feed took longer than ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`} to parse`)), timeoutMs);
    slot.timer.unref();
  }

  function spawnSlot(): Slot {
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: youngHeapMb },
      // Workers must never keep the process alive on their own.
      stdout: false,
      stderr: false,
    });
    worker.unref();
    const slot: Slot = { worker, ready: false, jobs: [], timer: undefined, unsent: [] };
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        slot.ready = true;
        pump();
        return;
      }
      const job = slot.jobs[0];
      if (!job || reply.id !== job.id) return;
      slot.jobs.shift();
      // The next job started as this one was answered.
      arm(slot);
      if (reply.ok) job.resolve(reply.result);
      else job.reject(new WirewatchError(reply.code, reply.message));
      pump();
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      retire(
        slot,
        new WirewatchError('parse_failed', memory ? `feed needs more than ${maxHeapMb} MB of memory to parse` : `feed parser crashed: ${err.message.split('\n')[0] ?? err.name}`, { cause: err }),
      );
    });
    worker.on('exit', (code) => retire(slot, new WirewatchError('parse_failed', `feed parser stopped (exit ${code})`)));
    slots.add(slot);
    return slot;
  }

  /**
   * Hands a job to a worker. The jobs handed to one worker in a turn of the event loop go in one
   * message at the turn's end: a message wakes a sleeping worker, and pages fetched together are
   * handed over together (10,000 jobs in 4,997 turns in `bench/profile.ts advance`). Each job
   * still gets its own reply, as soon as it is parsed.
   */
  function start(slot: Slot, pending: Pending): void {
    slot.jobs.push(pending);
    if (slot.jobs.length === 1) arm(slot);
    slot.unsent.push(pending);
    if (slot.unsent.length === 1) atCheckPhase(() => send(slot));
  }

  /** Posts the slot's unsent jobs in one message (none once it was retired or the pool closed). */
  function send(slot: Slot): void {
    if (!slots.has(slot) || slot.unsent.length === 0) return;
    const batch = slot.unsent;
    slot.unsent = [];
    // The bodies are copied, not transferred: the caller keeps its bytes (a later full parse needs them).
    slot.worker.postMessage({ jobs: batch.map((p) => ({ id: p.id, job: p.job })) } satisfies WorkerJobs);
  }

  /** The ready worker with the shortest line that has room, if any. */
  function freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of slots) {
      if (slot.ready && slot.jobs.length < JOBS_PER_WORKER && (!best || slot.jobs.length < best.jobs.length)) best = slot;
    }
    return best;
  }

  function pump(): void {
    if (closed) return;
    for (let slot = freeSlot(); slot && queue.length > 0; slot = freeSlot()) start(slot, queue.shift() as Pending);
    // More workers while jobs wait, up to `size`; each takes jobs once it has loaded.
    const starting = [...slots].filter((s) => !s.ready).length;
    for (let n = starting; n < queue.length && slots.size < size; n++) spawnSlot();
    // An idle worker must not hold the event loop open; one loading for waiting jobs must.
    for (const slot of slots) {
      if (slot.jobs.length > 0 || (!slot.ready && queue.length > 0)) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  return {
    get threads() {
      return slots.size;
    },
    parse(job) {
      if (closed) return Promise.reject(new WirewatchError('parse_failed', 'parser pool closed'));
      return new Promise<ParseJobResult>((resolve, reject) => {
        queue.push({ id: nextId++, job, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      const stopping = new WirewatchError('parse_failed', 'parser pool closed');
      for (const pending of queue.splice(0)) pending.reject(stopping);
      const all = [...slots];
      slots.clear();
      await Promise.all(
        all.map(async (slot) => {
          if (slot.timer) clearTimeout(slot.timer);
          slot.worker.removeAllListeners();
          slot.unsent = [];
          for (const pending of slot.jobs.splice(0)) pending.reject(stopping);
          await slot.worker.terminate();
        }),
      );
    },
  };
}
