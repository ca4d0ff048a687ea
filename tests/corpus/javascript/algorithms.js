function quicksort(a) {
  if (a.length <= 1) return a;
  const [p, ...rest] = a;
  return [...quicksort(rest.filter((x) => x < p)), p, ...quicksort(rest.filter((x) => x >= p))];
}
const memo = new Map();
function fib(n) {
  if (n < 2) return n;
  if (memo.has(n)) return memo.get(n);
  const v = fib(n - 1) + fib(n - 2);
  memo.set(n, v);
  return v;
}
function bfs(graph, start) {
  const seen = new Set([start]);
  const queue = [start];
  const order = [];
  while (queue.length) {
    const node = queue.shift();
    order.push(node);
    for (const next of graph[node] || []) {
      if (!seen.has(next)) { seen.add(next); queue.push(next); }
    }
  }
  return order;
}
console.log(quicksort([5, 3, 8, 1, 9, 2, 7]));
console.log(fib(80), fib(30));
console.log(bfs({ 1: [2, 3], 2: [4], 3: [4], 4: [5] }, 1));
const words = 'the quick brown fox jumps over the lazy dog the end'.split(' ');
const counts = words.reduce((m, w) => m.set(w, (m.get(w) || 0) + 1), new Map());
console.log([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3));
console.log(JSON.stringify({ b: [1, 2.5, null, true], a: 'x' }), (0.1 + 0.2).toFixed(2), Math.max(...[3, 9, 4]));
console.log([3, 1, 10, 2].sort(), [3, 1, 10, 2].sort((a, b) => a - b), 'interview'.split('').reverse().join(''));
