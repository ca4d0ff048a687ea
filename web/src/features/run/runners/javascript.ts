import { jsWorkerSource, JS_PRELUDE_LINES } from './jsWorkerSource';
import { runInWorker, type WorkerLike, type WorkerRunOutcome } from './workerRun';

/** Runs JavaScript in a fresh Web Worker built from a Blob, ended after `timeoutMs`. */
export async function runJavaScript(
  code: string,
  stdin: string,
  options: { timeoutMs: number; signal?: AbortSignal; createWorker?: (source: string) => WorkerLike },
): Promise<WorkerRunOutcome> {
  const create = options.createWorker ?? blobWorker;
  const worker = create(jsWorkerSource(code, stdin));
  const outcome = await runInWorker(worker, null, {
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    lineOffset: JS_PRELUDE_LINES,
  });
  // A JavaScript worker serves one run only.
  if (!outcome.workerEnded) worker.terminate();
  return outcome;
}

function blobWorker(source: string): WorkerLike {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url, { name: 'devinterview-js-run' });
  // The worker has fetched its script once it exists; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return worker as unknown as WorkerLike;
}
