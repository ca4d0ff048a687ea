/// <reference lib="webworker" />
// Runs Python with Pyodide, loaded from our own origin (/pyodide/<version>/).
// Messages: {type:'run', code, stdin, indexURL} in; progress, running, output, exit out.
import type { PyodideInterface } from 'pyodide';

declare function loadPyodide(options: { indexURL: string }): Promise<PyodideInterface>;

const scope = self as unknown as DedicatedWorkerGlobalScope;
let runtime: Promise<PyodideInterface> | null = null;
const post = (message: unknown) => scope.postMessage(message);

/** Downloads a file with progress so the first load is not a silent wait; the HTTP cache keeps it. */
async function prefetch(url: string, label: string) {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`could not download ${label} (HTTP ${response.status})`);
  const total = Number(response.headers.get('Content-Length')) || 0;
  const reader = response.body.getReader();
  let loaded = 0;
  let lastReport = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loaded += value.byteLength;
    if (loaded - lastReport > 512 * 1024 || loaded === total) {
      lastReport = loaded;
      const mb = (n: number) => (n / 1048576).toFixed(1);
      post({ type: 'progress', message: `Downloading ${label}: ${mb(loaded)}${total ? ` of ${mb(total)}` : ''} MB` });
    }
  }
}

async function load(indexURL: string): Promise<PyodideInterface> {
  post({ type: 'progress', message: 'Loading Python…' });
  await prefetch(`${indexURL}pyodide.asm.wasm`, 'Python');
  await prefetch(`${indexURL}python_stdlib.zip`, 'the standard library');
  post({ type: 'progress', message: 'Starting Python…' });
  scope.importScripts(`${indexURL}pyodide.js`);
  return loadPyodide({ indexURL });
}

scope.onmessage = async (event: MessageEvent) => {
  const { code, stdin, indexURL } = event.data as { code: string; stdin: string; indexURL: string };
  let pyodide: PyodideInterface;
  try {
    runtime ??= load(indexURL);
    pyodide = await runtime;
  } catch (e) {
    runtime = null;
    post({ type: 'exit', code: 1, error: `Python could not be loaded: ${(e as Error).message}` });
    return;
  }
  const decoder = new TextDecoder();
  const stream = (name: 'stdout' | 'stderr') => ({
    write(buffer: Uint8Array) {
      post({ type: 'output', stream: name, text: decoder.decode(buffer) });
      return buffer.length;
    },
  });
  let stdinGiven = false;
  pyodide.setStdin({
    stdin: () => {
      if (stdinGiven) return undefined;
      stdinGiven = true;
      return stdin;
    },
  });
  pyodide.setStdout(stream('stdout'));
  pyodide.setStderr(stream('stderr'));
  // Each run gets fresh globals, as a new `python main.py` would.
  const globals = pyodide.toPy({ __name__: '__main__' });
  post({ type: 'running' });
  let exitCode = 0;
  let error: string | undefined;
  try {
    await pyodide.runPythonAsync(code, { globals });
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    const exit = /SystemExit: ?(\d*)\s*$/.exec(message);
    if (exit) exitCode = exit[1] ? Number(exit[1]) : 0;
    else {
      exitCode = 1;
      error = message;
    }
  } finally {
    try {
      pyodide.runPython('import sys\nsys.stdout.flush()\nsys.stderr.flush()');
    } catch {
      // Nothing left to flush.
    }
    globals.destroy();
  }
  post({ type: 'exit', code: exitCode, error });
};
