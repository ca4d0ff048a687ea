// Async generators, for await, and readline-free input handling.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function* countdown(n) {
  while (n > 0) {
    await sleep(n);
    yield n--;
  }
}

async function* mapAsync(source, fn) {
  for await (const item of source) yield fn(item);
}

class Queue {
  constructor() {
    this.items = [];
    this.waiters = [];
  }
  push(item) {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
  pop() {
    if (this.items.length) return Promise.resolve(this.items.shift());
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

async function producer(q, name, count) {
  for (let i = 0; i < count; i++) {
    await sleep(7 * (i + 1));
    q.push(`${name}${i}`);
  }
}

async function consumer(q, total) {
  const seen = [];
  while (seen.length < total) seen.push(await q.pop());
  return seen;
}

(async () => {
  for await (const n of countdown(4)) console.log('tick', n);
  const squares = [];
  for await (const sq of mapAsync(countdown(3), (x) => x * x)) squares.push(sq);
  console.log('squares', squares);
  const q = new Queue();
  const [, , seen] = await Promise.all([producer(q, 'a', 3), producer(q, 'b', 2), consumer(q, 5)]);
  console.log(seen.join(' '));
  const iter = { from: 1, to: 3, [Symbol.asyncIterator]() {
    let cur = this.from; const last = this.to;
    return { next: async () => (cur <= last ? { value: cur++, done: false } : { value: undefined, done: true }) };
  } };
  for await (const v of iter) console.log('custom', v);
})();
