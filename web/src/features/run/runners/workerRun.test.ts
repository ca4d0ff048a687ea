// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { runJavaScript } from './javascript';
import { nodeWorker } from './nodeWorker.testutil';
import { runInWorker } from './workerRun';

describe('runInWorker', () => {
  it('ends a worker stuck in a busy loop at the timeout and terminates it', async () => {
    const worker = nodeWorker(`onmessage = () => { postMessage({ type: 'running' }); for (;;) {} };`);
    const outcome = await runInWorker(worker, {}, { timeoutMs: 300 });
    expect(outcome.status).toBe('time_limit');
    expect(outcome.workerEnded).toBe(true);
    expect(outcome.stderr).toContain('longer than 0.3 s');
    await worker.terminated;
  });

  it('gives a slow runtime load its own, longer allowance', async () => {
    const worker = nodeWorker(`onmessage = () => setTimeout(() => {
      postMessage({ type: 'running' }); postMessage({ type: 'output', stream: 'stdout', text: 'hi\\n' });
      postMessage({ type: 'exit', code: 0 });
    }, 400);`);
    const outcome = await runInWorker(worker, {}, { timeoutMs: 200, loadTimeoutMs: 5_000 });
    expect([outcome.status, outcome.stdout, outcome.workerEnded]).toEqual(['ok', 'hi\n', false]);
    worker.terminate();
  });

  it('stops when the caller aborts', async () => {
    const worker = nodeWorker(`onmessage = () => { postMessage({ type: 'running' }); for (;;) {} };`);
    const controller = new AbortController();
    const run = runInWorker(worker, {}, { timeoutMs: 10_000, signal: controller.signal, onRunning: () => controller.abort() });
    const outcome = await run;
    expect(outcome.status).toBe('stopped');
    await worker.terminated;
  });

  it('cuts output at the cap', async () => {
    const worker = nodeWorker(`onmessage = () => { postMessage({ type: 'running' });
      for (let i = 0; i < 100; i++) postMessage({ type: 'output', stream: 'stdout', text: 'x'.repeat(100) }); };`);
    const outcome = await runInWorker(worker, {}, { timeoutMs: 5_000, maxOutputBytes: 1_000 });
    expect(outcome.status).toBe('output_limit');
    expect(outcome.stdout).toHaveLength(1_000);
    expect(outcome.stdoutTruncated).toBe(true);
  });
});

describe('JavaScript runner (prelude + code in a real worker thread)', () => {
  const run = (code: string, stdin = '', timeoutMs = 5_000) =>
    runJavaScript(code, stdin, { timeoutMs, createWorker: nodeWorker });

  it('prints values the way Node does for common shapes', async () => {
    const out = await run(`console.log([1, 2, 3], { a: 1, b: 'x' }, 'plain', null, new Map([['k', 1]]));
      console.log([]); console.log({});`);
    expect(out.status).toBe('ok');
    expect(out.stdout).toBe("[ 1, 2, 3 ] { a: 1, b: 'x' } plain null Map(1) { 'k' => 1 }\n[]\n{}\n");
  });

  it('reads stdin through fs and readline', async () => {
    const out = await run(
      `const all = require('fs').readFileSync(0, 'utf8');
       const rl = require('readline').createInterface({ input: process.stdin });
       const lines = []; rl.on('line', (l) => lines.push(Number(l)));
       rl.on('close', () => console.log(all.length, lines.reduce((a, b) => a + b, 0)));`,
      '1\n2\n3\n',
    );
    expect(out.stdout).toBe('6 6\n');
    expect(out.exitCode).toBe(0);
  });

  it('waits for pending timers before it ends', async () => {
    const out = await run(`setTimeout(() => console.log('later'), 50); console.log('now');`);
    expect(out.stdout).toBe('now\nlater\n');
  });

  it('reports process.exit codes and uncaught errors as runtime errors', async () => {
    const exited = await run(`console.log('a'); process.exit(3); console.log('b');`);
    expect([exited.status, exited.exitCode, exited.stdout]).toEqual(['runtime_error', 3, 'a\n']);
    const thrown = await run(`throw new TypeError('boom')`);
    expect(thrown.status).toBe('runtime_error');
    expect(thrown.stderr).toContain('TypeError: boom');
  });

  it('times out an endless loop', async () => {
    const out = await run('while (true) {}', '', 300);
    expect(out.status).toBe('time_limit');
  });
});
