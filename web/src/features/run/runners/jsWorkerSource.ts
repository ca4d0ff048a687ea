/**
 * The script a JavaScript run's worker executes: a one-line prelude (console
 * capture, stdin through `require('fs')` and `readline`, `process`, timer
 * tracking), then the candidate's code as a classic script, then the end check.
 * The code runs as the worker's own script (a Blob URL), so nothing is ever
 * evaluated from a string, on the page or in the worker.
 */
export function jsWorkerSource(code: string, stdin: string): string {
  return `${PRELUDE.replace(/\n\s*/g, ' ')}(${JSON.stringify(stdin)});\n${code}\n;self.__devinterviewDone();\n`;
}

/** Lines the prelude occupies before the candidate's first line. */
export const JS_PRELUDE_LINES = 1;

// One line once whitespace is folded (see above): keep statements `;`-terminated
// and no `//` comments inside.
const PRELUDE = `
(function (stdin) {
  const post = (m) => postMessage(m);
  const write = (stream, text) => post({ type: 'output', stream, text });
  const quote = (s) => "'" + s.replace(/\\\\/g, '\\\\\\\\').replace(/'/g, "\\\\'").replace(/\\n/g, '\\\\n') + "'";
  const show = (v, depth, seen) => {
    if (typeof v === 'string') return depth === 0 ? v : quote(v);
    if (typeof v === 'bigint') return v + 'n';
    if (typeof v === 'symbol') return v.toString();
    if (typeof v === 'function') return '[Function: ' + (v.name || '(anonymous)') + ']';
    if (v === null || typeof v !== 'object') return String(v);
    if (v instanceof Error) return v.stack || String(v);
    if (seen.includes(v)) return '[Circular]';
    if (depth > 2) return Array.isArray(v) ? '[Array]' : '[Object]';
    const next = seen.concat([v]);
    const inner = (x) => show(x, depth + 1, next);
    let parts; let open; let close;
    if (Array.isArray(v)) { parts = v.slice(0, 100).map(inner); if (v.length > 100) parts.push('... ' + (v.length - 100) + ' more items'); open = '['; close = ']'; }
    else if (v instanceof Map) { parts = [...v].map(([k, x]) => inner(k) + ' => ' + inner(x)); open = 'Map(' + v.size + ') {'; close = '}'; }
    else if (v instanceof Set) { parts = [...v].map(inner); open = 'Set(' + v.size + ') {'; close = '}'; }
    else { parts = Object.keys(v).map((k) => (/^[A-Za-z_$][\\w$]*$/.test(k) ? k : quote(k)) + ': ' + inner(v[k])); open = '{'; close = '}'; }
    if (parts.length === 0) return open.endsWith('{') && open !== '{' ? open + '}' : open + close;
    const flat = open + ' ' + parts.join(', ') + ' ' + close;
    return flat.length <= 72 ? flat : open + '\\n' + parts.map((p) => '  ' + p.split('\\n').join('\\n  ')).join(',\\n') + '\\n' + close;
  };
  const format = (args) => args.map((a) => show(a, 0, [])).join(' ') + '\\n';
  console.log = console.info = console.debug = (...a) => write('stdout', format(a));
  console.error = console.warn = console.trace = (...a) => write('stderr', format(a));
  let exited = false;
  const exit = (code) => { if (exited) return; exited = true; post({ type: 'exit', code: code | 0 }); close(); };
  class Exit extends Error {};
  const lines = stdin.split('\\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  let pending = 0;
  const realSetTimeout = setTimeout; const realClearTimeout = clearTimeout;
  const realSetInterval = setInterval; const realClearInterval = clearInterval;
  const live = new Set();
  self.setTimeout = (fn, ms, ...args) => { const id = realSetTimeout(() => { live.delete(id); fn(...args); }, ms); live.add(id); return id; };
  self.clearTimeout = (id) => { live.delete(id); realClearTimeout(id); };
  self.setInterval = (fn, ms, ...args) => { const id = realSetInterval(fn, ms, ...args); live.add(id); return id; };
  self.clearInterval = (id) => { live.delete(id); realClearInterval(id); };
  const readline = { createInterface: () => {
    const handlers = { line: [], close: [] };
    pending++;
    realSetTimeout(() => { for (const l of lines) handlers.line.forEach((h) => h(l)); handlers.close.forEach((h) => h()); pending--; }, 0);
    return { on(event, h) { if (handlers[event]) handlers[event].push(h); return this; }, close() {},
      async *[Symbol.asyncIterator]() { pending--; handlers.line = []; handlers.close = []; for (const l of lines) yield l; } };
  } };
  const fs = { readFileSync: (fd) => { if (fd === 0 || fd === '/dev/stdin') return stdin; throw new Error('there is no file system in the browser runner'); } };
  self.require = (name) => { if (name === 'fs' || name === 'node:fs') return fs; if (name === 'readline' || name === 'node:readline') return readline; throw new Error("Cannot find module '" + name + "'"); };
  self.process = { argv: ['node', 'main.js'], env: {}, exit: (code) => { exit(code === undefined ? 0 : code); throw new Exit(); },
    stdout: { write: (t) => { write('stdout', String(t)); return true; } }, stderr: { write: (t) => { write('stderr', String(t)); return true; } } };
  const fail = (err) => { if (err instanceof Exit) return; write('stderr', ((err && err.stack) || String(err)) + '\\n'); exit(1); };
  self.addEventListener('error', (e) => { e.preventDefault(); fail(e.error || e.message); });
  self.addEventListener('unhandledrejection', (e) => { e.preventDefault(); fail(e.reason); });
  self.__devinterviewDone = () => { const check = () => { if (live.size === 0 && pending <= 0) exit(0); else realSetTimeout(check, 5); }; realSetTimeout(check, 0); };
  post({ type: 'running' });
})`;
