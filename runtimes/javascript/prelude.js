// DevInterview JavaScript prelude for QuickJS-NG (runs as a module before the
// candidate's code). It gives interview code the Node-style surface it expects:
// console.log printing values the way Node's util.inspect does, reading all of
// stdin with require('fs').readFileSync(0, 'utf8'), readline, process.exit, and
// timers that run in order without waiting (time is virtual in the sandbox).
// The candidate's code then runs as a classic script, as it would under Node.
const std = globalThis.std;
const os = globalThis.os;
delete globalThis.std;
delete globalThis.os;
delete globalThis.bjson;
delete globalThis.scriptArgs;

// ---------------------------------------------------------------- inspect ---

const BREAK_LENGTH = 80;
const MAX_ARRAY_LENGTH = 100;
const DEPTH = 2;
const COMPACT = 3;
const IDENTIFIER = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

function quote(str) {
  let q = "'";
  if (str.includes("'")) {
    if (!str.includes('"')) q = '"';
    else if (!str.includes('`') && !str.includes('${')) q = '`';
  }
  let out = '';
  for (const ch of str) {
    const code = ch.codePointAt(0);
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).toUpperCase().padStart(2, '0');
    else out += ch;
  }
  return q + out + q;
}

function formatNumber(n) {
  return Object.is(n, -0) ? '-0' : String(n);
}

function formatPrimitive(v) {
  switch (typeof v) {
    case 'string': return quote(v);
    case 'number': return formatNumber(v);
    case 'bigint': return `${v}n`;
    case 'boolean': return String(v);
    case 'undefined': return 'undefined';
    case 'symbol': return v.toString();
  }
  return String(v);
}

function formatKey(key) {
  if (typeof key === 'symbol') return `[${key.toString()}]`;
  return IDENTIFIER.test(key) ? key : quote(key);
}

function functionBase(fn) {
  const src = Function.prototype.toString.call(fn);
  if (src.startsWith('class')) {
    const parent = Object.getPrototypeOf(fn);
    const ext = parent && parent.name ? ` extends ${parent.name}` : '';
    return `[class ${fn.name || '(anonymous)'}${ext}]`;
  }
  let kind = 'Function';
  const tag = fn[Symbol.toStringTag];
  if (tag === 'AsyncFunction' || tag === 'GeneratorFunction' || tag === 'AsyncGeneratorFunction') kind = tag;
  else if (src.startsWith('async')) kind = 'AsyncFunction';
  return fn.name ? `[${kind}: ${fn.name}]` : `[${kind} (anonymous)]`;
}

function constructorName(obj) {
  let proto = Object.getPrototypeOf(obj);
  if (proto === null) return null;
  const ctor = proto.constructor;
  return ctor && typeof ctor.name === 'string' ? ctor.name : '';
}

function isBelowBreakLength(ctx, output, start, base) {
  let total = output.length + start;
  if (total + output.length > BREAK_LENGTH) return false;
  for (const entry of output) {
    total += entry.length;
    if (total > BREAK_LENGTH) return false;
  }
  return base === '' || !base.includes('\n');
}

function groupArrayElements(ctx, output, value) {
  let totalLength = 0;
  let maxLength = 0;
  let outputLength = output.length;
  if (ctx.extraEntry) outputLength--;
  const separatorSpace = 2;
  const dataLen = new Array(outputLength);
  for (let i = 0; i < outputLength; i++) {
    const len = output[i].length;
    dataLen[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < BREAK_LENGTH &&
      (totalLength / actualMax > 5 || maxLength <= 6)) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((BREAK_LENGTH - ctx.indentationLvl) / actualMax),
      COMPACT * 4,
      15,
    );
    if (columns <= 1) return output;
    const tmp = [];
    const maxLineLength = [];
    for (let i = 0; i < columns; i++) {
      let lineLength = 0;
      for (let j = i; j < output.length; j += columns) {
        if (dataLen[j] > lineLength) lineLength = dataLen[j];
      }
      maxLineLength.push(lineLength + separatorSpace);
    }
    let padStart = true;
    if (value !== undefined) {
      for (let i = 0; i < output.length; i++) {
        if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') {
          padStart = false;
          break;
        }
      }
    }
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let str = '';
      let j = i;
      for (; j < max - 1; j++) {
        const cell = `${output[j]}, `;
        str += padStart ? cell.padStart(maxLineLength[j - i], ' ') : cell.padEnd(maxLineLength[j - i], ' ');
      }
      str += padStart ? output[j].padStart(maxLineLength[j - i] - separatorSpace, ' ') : output[j];
      tmp.push(str);
    }
    if (ctx.extraEntry) tmp.push(output[outputLength]);
    return tmp;
  }
  return output;
}

function reduceToSingleString(ctx, output, base, braces, isArrayLike, recurseTimes, value) {
  const entries = output.length;
  if (isArrayLike && entries > 6) output = groupArrayElements(ctx, output, value);
  if (ctx.currentDepth - recurseTimes < COMPACT && entries === output.length) {
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (isBelowBreakLength(ctx, output, start, base)) {
      const joined = output.join(', ');
      if (!joined.includes('\n')) {
        return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
      }
    }
  }
  const indentation = `\n${' '.repeat(ctx.indentationLvl)}`;
  return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
}

function formatProperty(ctx, obj, key, recurseTimes, isArrayEntry) {
  const desc = Object.getOwnPropertyDescriptor(obj, key) || { value: obj[key], enumerable: true };
  let str;
  if (desc.value !== undefined || !('get' in desc || 'set' in desc)) {
    ctx.indentationLvl += 2;
    str = formatValue(ctx, desc.value, recurseTimes);
    ctx.indentationLvl -= 2;
  } else if (desc.get !== undefined) {
    str = desc.set !== undefined ? '[Getter/Setter]' : '[Getter]';
  } else {
    str = desc.set !== undefined ? '[Setter]' : 'undefined';
  }
  if (isArrayEntry) return str;
  return `${formatKey(key)}: ${str}`;
}

function formatValue(ctx, value, recurseTimes) {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(value);
  if (ctx.seen.includes(value)) {
    let index = ctx.circular.get(value);
    if (index === undefined) {
      index = ctx.circular.size + 1;
      ctx.circular.set(value, index);
    }
    return `[Circular *${index}]`;
  }
  return formatRaw(ctx, value, recurseTimes);
}

function formatRaw(ctx, value, recurseTimes) {
  const ctor = constructorName(value);
  const prefixFor = (fallback, size) => {
    const name = ctor === null ? `[${fallback}: null prototype]` : ctor;
    return size === undefined ? name : `${name}(${size})`;
  };
  let keys = Object.keys(value);
  let braces;
  let base = '';
  let isArrayLike = false;
  let formatter;
  let extraEntry = false;

  if (Array.isArray(value)) {
    isArrayLike = true;
    const prefix = ctor === 'Array' ? '' : `${prefixFor('Array', value.length)} `;
    keys = keys.filter((k) => !/^(0|[1-9][0-9]*)$/.test(k) || Number(k) >= value.length);
    braces = [`${prefix}[`, ']'];
    if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
    formatter = () => {
      const out = [];
      const shown = Math.min(value.length, MAX_ARRAY_LENGTH);
      let holes = 0;
      for (let i = 0; i < shown; i++) {
        if (!Object.prototype.hasOwnProperty.call(value, i)) {
          holes++;
          continue;
        }
        if (holes > 0) {
          out.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
          holes = 0;
        }
        out.push(formatProperty(ctx, value, i, recurseTimes, true));
      }
      if (holes > 0) out.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
      if (value.length > shown) {
        const rest = value.length - shown;
        out.push(`... ${rest} more item${rest > 1 ? 's' : ''}`);
        extraEntry = true;
      }
      return out;
    };
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    isArrayLike = true;
    braces = [`${prefixFor('TypedArray', value.length)} [`, ']'];
    if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
    keys = [];
    formatter = () => {
      const out = [];
      const shown = Math.min(value.length, MAX_ARRAY_LENGTH);
      for (let i = 0; i < shown; i++) out.push(formatPrimitive(value[i]));
      if (value.length > shown) {
        out.push(`... ${value.length - shown} more items`);
        extraEntry = true;
      }
      return out;
    };
  } else if (value instanceof Map) {
    braces = [`${prefixFor('Map', value.size)} {`, '}'];
    if (value.size === 0 && keys.length === 0) return `${braces[0]}}`;
    formatter = () => {
      const out = [];
      ctx.indentationLvl += 2;
      for (const [k, v] of value) {
        out.push(`${formatValue(ctx, k, recurseTimes)} => ${formatValue(ctx, v, recurseTimes)}`);
      }
      ctx.indentationLvl -= 2;
      return out;
    };
  } else if (value instanceof Set) {
    braces = [`${prefixFor('Set', value.size)} {`, '}'];
    if (value.size === 0 && keys.length === 0) return `${braces[0]}}`;
    isArrayLike = false;
    formatter = () => {
      const out = [];
      ctx.indentationLvl += 2;
      for (const v of value) out.push(formatValue(ctx, v, recurseTimes));
      ctx.indentationLvl -= 2;
      return out;
    };
  } else {
    if (typeof value === 'function') {
      base = functionBase(value);
      keys = keys.filter((k) => k !== 'prototype');
      if (keys.length === 0) return base;
    } else if (value instanceof RegExp) {
      base = RegExp.prototype.toString.call(value);
      if (keys.length === 0) return base;
    } else if (value instanceof Date) {
      base = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      if (keys.length === 0) return base;
    } else if (value instanceof Error) {
      base = formatError(value);
      keys = keys.filter((k) => k !== 'stack' && k !== 'message');
      if (keys.length === 0) return base;
    } else if (value instanceof Promise) {
      braces = ['Promise {', '}'];
      formatter = () => ['<pending>'];
    } else if (value instanceof WeakMap || value instanceof WeakSet) {
      return `${ctor} { <items unknown> }`;
    } else if (value instanceof Number || value instanceof String || value instanceof Boolean) {
      const kind = value instanceof Number ? 'Number' : value instanceof String ? 'String' : 'Boolean';
      base = `[${kind}: ${formatPrimitive(value.valueOf())}]`;
      if (value instanceof String) keys = keys.filter((k) => !/^[0-9]+$/.test(k));
      if (keys.length === 0) return base;
    }
    if (braces === undefined) {
      const tag = value[Symbol.toStringTag];
      let prefix = ctor === 'Object' ? '' : ctor === null ? '[Object: null prototype] ' : `${ctor} `;
      if (typeof tag === 'string' && tag !== '' && tag !== ctor) prefix = `${prefix || 'Object '}[${tag}] `;
      braces = [`${prefix}{`, '}'];
      if (keys.length === 0 && base === '') return `${braces[0]}}`;
    }
  }

  if (recurseTimes > DEPTH) {
    if (Array.isArray(value)) return '[Array]';
    return `[${ctor === null ? 'Object: null prototype' : ctor || 'Object'}]`;
  }
  recurseTimes += 1;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  const savedExtra = ctx.extraEntry;
  let output = formatter ? formatter() : [];
  ctx.extraEntry = extraEntry;
  for (const key of keys) output.push(formatProperty(ctx, value, key, recurseTimes, false));
  for (const sym of Object.getOwnPropertySymbols(value)) {
    if (Object.prototype.propertyIsEnumerable.call(value, sym)) {
      output.push(formatProperty(ctx, value, sym, recurseTimes, false));
    }
  }
  ctx.seen.pop();
  let reference = '';
  const index = ctx.circular.get(value);
  if (index !== undefined) reference = `<ref *${index}> `;
  const res = reduceToSingleString(ctx, output, base, braces, isArrayLike, recurseTimes, value);
  ctx.extraEntry = savedExtra;
  return reference + res;
}

function formatError(err) {
  const head = `${err.name || 'Error'}: ${err.message}`;
  // Frames of this prelude (the script `<cmdline>`) are the sandbox's, not the program's.
  const stack = typeof err.stack === 'string'
    ? err.stack.split('\n').filter((line) => !line.includes('<cmdline>:')).join('\n').trimEnd()
    : '';
  if (!stack) return err.message ? head : `[${err.name || 'Error'}]`;
  // QuickJS's stack holds only the frames; Node's starts with the message line.
  return stack.startsWith(head) ? stack : `${head}\n${stack}`;
}

function inspect(value) {
  const ctx = { seen: [], circular: new Map(), indentationLvl: 0, currentDepth: 0, extraEntry: false };
  return formatValue(ctx, value, 0);
}

function formatWithOptions(args) {
  if (args.length === 0) return '';
  const first = args[0];
  let a = 0;
  let out = '';
  if (typeof first === 'string') {
    if (args.length === 1) return first;
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) !== 37) continue; // '%'
      const next = first[i + 1];
      if (a + 1 !== args.length) {
        let tmp;
        switch (next) {
          case 's': {
            const arg = args[++a];
            if (typeof arg === 'number') tmp = formatNumber(arg);
            else if (typeof arg === 'bigint') tmp = `${arg}n`;
            else if (typeof arg !== 'object' || arg === null) tmp = String(arg);
            else tmp = inspect(arg);
            break;
          }
          case 'j': {
            try {
              tmp = JSON.stringify(args[++a]);
            } catch {
              tmp = '[Circular]';
            }
            break;
          }
          case 'd': {
            const n = args[++a];
            tmp = typeof n === 'bigint' ? `${n}n` : typeof n === 'symbol' ? 'NaN' : formatNumber(Number(n));
            break;
          }
          case 'i': {
            const n = args[++a];
            tmp = typeof n === 'bigint' ? `${n}n` : typeof n === 'symbol' ? 'NaN' : formatNumber(parseInt(n));
            break;
          }
          case 'f': {
            const n = args[++a];
            tmp = typeof n === 'symbol' ? 'NaN' : formatNumber(parseFloat(n));
            break;
          }
          case 'o':
          case 'O':
            tmp = inspect(args[++a]);
            break;
          case 'c':
            a++;
            tmp = '';
            break;
          case '%':
            out += first.slice(last, i);
            last = i + 1;
            continue;
          default:
            continue;
        }
        if (last !== i) out += first.slice(last, i);
        out += tmp;
        last = i + 2;
        i++;
      } else if (next === '%') {
        out += first.slice(last, i);
        last = i + 1;
      }
    }
    if (last !== 0) {
      a++;
      if (last < first.length) out += first.slice(last);
    }
  }
  while (a < args.length) {
    const value = args[a];
    out += a > 0 ? ' ' : '';
    out += typeof value === 'string' ? value : inspect(value);
    a++;
  }
  return out;
}

// ---------------------------------------------------------------- console ---

const groupIndent = { value: '' };
function writeLine(stream, text) {
  const indented = groupIndent.value ? text.replace(/^/gm, groupIndent.value) : text;
  stream.puts(indented + '\n');
}
const counts = new Map();
const timersByLabel = new Map();
globalThis.console = {
  log: (...args) => writeLine(std.out, formatWithOptions(args)),
  info: (...args) => writeLine(std.out, formatWithOptions(args)),
  debug: (...args) => writeLine(std.out, formatWithOptions(args)),
  error: (...args) => writeLine(std.err, formatWithOptions(args)),
  warn: (...args) => writeLine(std.err, formatWithOptions(args)),
  trace: (...args) => writeLine(std.err, `Trace: ${formatWithOptions(args)}\n${new Error().stack || ''}`.trimEnd()),
  dir: (value) => writeLine(std.out, inspect(value)),
  table: (value) => writeLine(std.out, inspect(value)),
  assert: (cond, ...args) => {
    if (!cond) writeLine(std.err, `Assertion failed${args.length ? `: ${formatWithOptions(args)}` : ''}`);
  },
  group: (...args) => {
    if (args.length) writeLine(std.out, formatWithOptions(args));
    groupIndent.value += '  ';
  },
  groupEnd: () => {
    groupIndent.value = groupIndent.value.slice(2);
  },
  count: (label = 'default') => {
    const n = (counts.get(label) || 0) + 1;
    counts.set(label, n);
    writeLine(std.out, `${label}: ${n}`);
  },
  countReset: (label = 'default') => counts.delete(label),
  time: (label = 'default') => timersByLabel.set(label, performance.now()),
  timeEnd: (label = 'default') => {
    const t = timersByLabel.get(label);
    if (t !== undefined) writeLine(std.out, `${label}: ${(performance.now() - t).toFixed(3)}ms`);
    timersByLabel.delete(label);
  },
};
console.groupCollapsed = console.group;
console.timeLog = console.timeEnd;

// ------------------------------------------------------------------ stdin ---

let stdinText = null;
function readStdin() {
  if (stdinText === null) stdinText = std.in.readAsString() || '';
  return stdinText;
}

// For the grading harness (runtimes/javascript/function_harness.js): takes the
// first line of stdin out of what the program can read, once.
globalThis.__devinterviewTakeLine = () => {
  delete globalThis.__devinterviewTakeLine;
  const text = readStdin();
  const end = text.indexOf('\n');
  stdinText = end < 0 ? '' : text.slice(end + 1);
  return end < 0 ? text : text.slice(0, end);
};

function readFileSync(path, options) {
  if (path === 0 || path === '/dev/stdin') {
    const text = readStdin();
    const encoding = typeof options === 'string' ? options : options && options.encoding;
    return encoding ? text : new TextEncoderShim(text);
  }
  const err = new Error(`ENOENT: no such file or directory, open '${path}'`);
  err.code = 'ENOENT';
  throw err;
}

// A minimal stand-in for the Buffer readFileSync(0) returns without an
// encoding: it prints as text and converts with toString().
class TextEncoderShim {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
  get length() {
    return this.text.length;
  }
}

// ---------------------------------------------------------- timers (virtual) ---

let timerSeq = 0;
let virtualNow = 0;
const timers = new Map();
function addTimer(fn, ms, args, repeat) {
  if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
  const id = ++timerSeq;
  // As Node coerces it: anything not in [1, 2^31 - 1] ms is 1 ms.
  let delay = Number(ms);
  if (!(delay >= 1 && delay <= 2147483647)) delay = 1;
  timers.set(id, { id, at: virtualNow + delay, fn, args, repeat: repeat ? delay : null });
  return id;
}
function addImmediate(fn, args) {
  if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
  const id = ++timerSeq;
  timers.set(id, { id, at: virtualNow, fn, args, repeat: null });
  return id;
}
globalThis.setTimeout = (fn, ms, ...args) => addTimer(fn, ms, args, false);
globalThis.setInterval = (fn, ms, ...args) => addTimer(fn, ms, args, true);
// Immediates run before any timer due later than now (a delay of 0, which a
// timeout cannot have).
globalThis.setImmediate = (fn, ...args) => addImmediate(fn, args);
globalThis.clearTimeout = (id) => timers.delete(id);
globalThis.clearInterval = globalThis.clearTimeout;
globalThis.clearImmediate = globalThis.clearTimeout;
// A callback that throws ends the run as an uncaught error, as in Node (a bare
// job that throws would otherwise only be printed).
{
  const enqueue = typeof globalThis.queueMicrotask === 'function'
    ? globalThis.queueMicrotask.bind(globalThis)
    : (fn) => { Promise.resolve().then(fn); };
  globalThis.queueMicrotask = (fn) => {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    enqueue(() => {
      try {
        fn();
      } catch (err) {
        reportUncaught(err);
      }
    });
  };
}
globalThis.performance = globalThis.performance || { now: () => Number(os.now ? os.now() : Date.now()) };

// Settles when QuickJS's own zero-delay timer fires (see the end of this file).
function macrotask() {
  return new Promise((resolve) => os.setTimeout(resolve, 0));
}

// --------------------------------------------------------- process, require ---

function flush() {
  std.out.flush();
  std.err.flush();
}

class ExitSignal {
  constructor(code) {
    this.code = code;
  }
}

const process = {
  argv: ['node', '/sandbox/main.js'],
  env: {},
  platform: 'linux',
  version: 'v20.0.0',
  versions: { node: '20.0.0' },
  exitCode: undefined,
  exit(code) {
    flush();
    std.exit(code === undefined ? (process.exitCode || 0) : Number(code) | 0);
  },
  stdout: { write: (s) => { std.out.puts(String(s)); return true; }, isTTY: false },
  stderr: { write: (s) => { std.err.puts(String(s)); return true; }, isTTY: false },
  hrtime: Object.assign(() => {
    const ms = performance.now();
    return [Math.floor(ms / 1000), Math.floor((ms % 1000) * 1e6)];
  }, { bigint: () => BigInt(Math.floor(performance.now() * 1e6)) }),
  nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
  on: () => process,
  memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0 }),
};
globalThis.process = process;

function createInterface() {
  const handlers = { line: [], close: [] };
  const rl = {
    on(event, fn) {
      if (handlers[event]) handlers[event].push(fn);
      return rl;
    },
    once(event, fn) {
      return rl.on(event, fn);
    },
    close() {},
    setPrompt() {},
    prompt() {},
    [Symbol.asyncIterator]() {
      const lines = splitLines(readStdin());
      let i = 0;
      return { next: async () => (i < lines.length ? { value: lines[i++], done: false } : { value: undefined, done: true }) };
    },
  };
  // Lines are delivered after the script's synchronous part, as Node does.
  setImmediate(() => {
    for (const line of splitLines(readStdin())) for (const fn of handlers.line) fn(line);
    for (const fn of handlers.close) fn();
  });
  return rl;
}

function splitLines(text) {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const modules = {
  fs: { readFileSync },
  readline: { createInterface },
  util: { inspect, format: (...args) => formatWithOptions(args) },
  process,
  assert: Object.assign((cond, msg) => {
    if (!cond) throw new Error(msg || 'Assertion failed');
  }, {
    strictEqual(a, b, msg) {
      if (!Object.is(a, b)) throw new Error(msg || `Expected values to be strictly equal:\n\n${inspect(a)} !== ${inspect(b)}\n`);
    },
    deepStrictEqual(a, b, msg) {
      if (inspect(a) !== inspect(b)) throw new Error(msg || `Expected values to be strictly deep-equal:\n${inspect(a)}\n${inspect(b)}`);
    },
  }),
};
globalThis.require = (name) => {
  const key = String(name).replace(/^node:/, '');
  if (key in modules) return modules[key];
  const err = new Error(`Cannot find module '${name}'`);
  err.code = 'MODULE_NOT_FOUND';
  throw err;
};
globalThis.module = { exports: {} };
globalThis.exports = globalThis.module.exports;

function reportUncaught(err) {
  if (err instanceof ExitSignal) return;
  flush();
  const text = err instanceof Error ? formatError(err) : `Uncaught ${inspect(err)}`;
  std.err.puts(`${text}\n`);
  flush();
  std.exit(1);
}

// The host drives a run as Node's event loop does (src/sandbox/quickjs.rs): it
// evaluates the candidate's code through __devinterviewRun; then, each time
// the job queue is empty, it awaits __devinterviewTurn(), whose promise
// QuickJS's zero-delay timer resolves only after it has looked for unhandled
// rejections (and ended the run on one), and which then runs the next due
// timer, or, with none left, ends the run. So a run ends when no job and no
// timer is left, when process.exit is called, or on an uncaught error or an
// unhandled rejection.
function hostHook(name, fn) {
  Object.defineProperty(globalThis, name, { value: fn, enumerable: false, configurable: false, writable: false });
}

hostHook('__devinterviewRun', (source) => {
  try {
    std.evalScript(source, { backtrace_barrier: true });
  } catch (err) {
    reportUncaught(err);
  }
});

function runNextTimer() {
  if (timers.size === 0) {
    flush();
    std.exit(process.exitCode ? Number(process.exitCode) | 0 : 0);
  }
  let next = null;
  for (const t of timers.values()) {
    if (next === null || t.at < next.at || (t.at === next.at && t.id < next.id)) next = t;
  }
  virtualNow = next.at;
  if (next.repeat === null) timers.delete(next.id);
  else next.at = virtualNow + next.repeat;
  try {
    next.fn(...next.args);
  } catch (err) {
    reportUncaught(err);
  }
}

hostHook('__devinterviewTurn', () => macrotask().then(runNextTimer));
