// The parse worker's entry (see parse-pool.ts): runs each job it is sent and answers with the
// result or the error's code and message. One job at a time: parsing is synchronous.
import { parentPort } from 'node:worker_threads';
import { WirewatchError, describeError } from '../../errors.js';
import { runParseJob, type ParseJob } from './parse-job.js';
import type { WorkerJobs, WorkerReply } from './parse-pool.js';

const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs as a worker thread (see parse-pool.ts)');

function run(id: number, job: ParseJob): WorkerReply {
  try {
    return { id, ok: true, result: runParseJob(job) };
  } catch (err) {
    return err instanceof WirewatchError ? { id, ok: false, code: err.code, message: err.message } : { id, ok: false, code: 'parse_failed', message: `cannot parse the feed: ${describeError(err)}` };
  }
}

// Each job is answered as soon as it is parsed, not with the others of its message.
port.on('message', ({ jobs }: WorkerJobs) => {
  for (const { id, job } of jobs) port.postMessage(run(id, job));
});
port.postMessage({ ready: true } satisfies WorkerReply);
