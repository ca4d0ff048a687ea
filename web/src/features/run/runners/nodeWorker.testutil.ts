import { Worker } from 'node:worker_threads';
import type { WorkerLike } from './workerRun';

/**
 * A real thread (Node's worker_threads) behind the browser Worker interface, so
 * the runners' timeout and stop handling is tested against code that really
 * blocks. `source` runs with `postMessage`, `close`, `self` and `addEventListener`
 * shimmed to what a dedicated worker has.
 */
export function nodeWorker(source: string): WorkerLike & { terminated: Promise<void> } {
  const shim = `
    const { parentPort } = require('node:worker_threads');
    const listeners = {};
    globalThis.self = globalThis;
    globalThis.postMessage = (m) => parentPort.postMessage(m);
    globalThis.close = () => setImmediate(() => process.exit(0));
    globalThis.addEventListener = (type, fn) => { (listeners[type] ??= []).push(fn); };
    const dispatch = (type, e) => { e.preventDefault = () => {}; (listeners[type] ?? []).forEach((fn) => fn(e)); };
    process.on('uncaughtException', (error) => dispatch('error', { error, message: String(error) }));
    process.on('unhandledRejection', (reason) => dispatch('unhandledrejection', { reason }));
    parentPort.on('message', (data) => globalThis.onmessage?.({ data }));
  `;
  const worker = new Worker(shim + source, { eval: true });
  let ended: () => void;
  const terminated = new Promise<void>((r) => (ended = r));
  worker.on('exit', () => ended());
  const like: WorkerLike & { terminated: Promise<void> } = {
    onmessage: null,
    onerror: null,
    postMessage: (m) => worker.postMessage(m),
    terminate: () => void worker.terminate(),
    terminated,
  };
  worker.on('message', (data) => like.onmessage?.({ data }));
  worker.on('error', (e) => like.onerror?.({ message: String(e) }));
  return like;
}
