import PythonWorker from './python.worker?worker';
import { runInWorker, type WorkerLike, type WorkerRunOutcome } from './workerRun';

/** Where the build puts Pyodide's files (see vite.config.ts). */
export const PYODIDE_INDEX_URL = `/pyodide/${__PYODIDE_VERSION__}/`;
const LOAD_TIMEOUT_MS = 120_000;

/**
 * Python in Pyodide inside one Web Worker, kept between runs (loading takes
 * seconds) and replaced after a run had to be stopped.
 */
export class PythonRunner {
  private worker: WorkerLike | null = null;

  constructor(private readonly createWorker: () => WorkerLike = () => new PythonWorker() as unknown as WorkerLike) {}

  async run(
    code: string,
    stdin: string,
    options: { timeoutMs: number; signal?: AbortSignal; onProgress?: (m: string) => void; onRunning?: () => void },
  ): Promise<WorkerRunOutcome> {
    this.worker ??= this.createWorker();
    const outcome = await runInWorker(
      this.worker,
      { code, stdin, indexURL: new URL(PYODIDE_INDEX_URL, location.origin).href },
      { ...options, loadTimeoutMs: LOAD_TIMEOUT_MS },
    );
    if (outcome.workerEnded) this.worker = null;
    return outcome;
  }

  dispose() {
    this.worker?.terminate();
    this.worker = null;
  }
}
