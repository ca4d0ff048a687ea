/** The part of a Worker a run needs; real browser Workers fit it, so do test adapters. */
export interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string; lineno?: number; preventDefault?: () => void }) => void) | null;
}

/** Messages a run worker posts. */
export type WorkerMessage =
  | { type: 'progress'; message: string }
  | { type: 'running' }
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'exit'; code: number; error?: string };

export interface WorkerRunOutcome {
  status: 'ok' | 'runtime_error' | 'time_limit' | 'output_limit' | 'stopped' | 'internal_error';
  exitCode: number | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  wallTimeMs: number;
  /** The worker can no longer be used (it was terminated). */
  workerEnded: boolean;
}

export interface WorkerRunOptions {
  timeoutMs: number;
  /** Time allowed before the worker says `running` (loading a runtime); defaults to `timeoutMs`. */
  loadTimeoutMs?: number;
  /** Output kept per stream; the run ends as `output_limit` beyond it. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  onRunning?: () => void;
  /** Adjusts an uncaught error's line number (for code behind a prelude). */
  lineOffset?: number;
  now?: () => number;
}

const DEFAULT_MAX_OUTPUT = 1024 * 1024;

/**
 * Sends `start` to a worker and collects its output until it exits, its time is
 * up (the worker is terminated: a busy loop cannot be interrupted any other way),
 * the caller aborts (same), or its output passes the cap.
 */
export function runInWorker(worker: WorkerLike, start: unknown, options: WorkerRunOptions): Promise<WorkerRunOutcome> {
  const now = options.now ?? (() => performance.now());
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let truncated = false;
    let began = now();
    let timer: ReturnType<typeof setTimeout> | null = null;
    let settled = false;

    const finish = (status: WorkerRunOutcome['status'], exitCode: number | null, terminate: boolean) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      worker.onmessage = null;
      worker.onerror = null;
      if (terminate) worker.terminate();
      resolve({
        status,
        exitCode,
        stdout,
        stderr,
        stdoutTruncated: truncated,
        wallTimeMs: Math.round(now() - began),
        workerEnded: terminate,
      });
    };
    const armTimeout = (ms: number, why: string) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        stderr += `${stderr && !stderr.endsWith('\n') ? '\n' : ''}${why}\n`;
        finish('time_limit', null, true);
      }, ms);
    };
    const runTimeout = () => armTimeout(options.timeoutMs, `Stopped: the run took longer than ${options.timeoutMs / 1000} s.`);
    const onAbort = () => finish('stopped', null, true);

    worker.onmessage = ({ data }) => {
      const m = data as WorkerMessage;
      if (m.type === 'progress') options.onProgress?.(m.message);
      else if (m.type === 'running') {
        // Loading a runtime is not the program's time: the clock starts now.
        began = now();
        runTimeout();
        options.onRunning?.();
      } else if (m.type === 'output') {
        if (m.stream === 'stdout') stdout += m.text;
        else stderr += m.text;
        if (stdout.length > maxOutput || stderr.length > maxOutput) {
          truncated = stdout.length > maxOutput;
          stdout = stdout.slice(0, maxOutput);
          stderr = stderr.slice(0, maxOutput);
          finish('output_limit', null, true);
        }
      } else if (m.type === 'exit') {
        if (m.error) stderr += m.error.endsWith('\n') ? m.error : `${m.error}\n`;
        finish(m.code === 0 ? 'ok' : 'runtime_error', m.code, false);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault?.();
      const line = e.lineno !== undefined ? ` (line ${Math.max(1, e.lineno - (options.lineOffset ?? 0))})` : '';
      stderr += `${e.message ?? 'The program failed'}${line}\n`;
      finish('runtime_error', 1, true);
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort);
    if (options.loadTimeoutMs === undefined) runTimeout();
    else armTimeout(options.loadTimeoutMs, 'Stopped: the runtime did not load in time.');
    worker.postMessage(start);
  });
}
