const readline = require('readline');
const rl = readline.createInterface({ input: process.stdin });
const lines = [];
rl.on('line', (line) => lines.push(line));
rl.on('close', async () => {
  const n = Number(lines[0]);
  const values = lines[1].split(' ').map(Number);
  const total = await Promise.resolve(values.slice(0, n).reduce((a, b) => a + b, 0));
  console.log('sum:', total);
  setTimeout(() => console.log('timer after', total), 5);
  queueMicrotask(() => console.log('microtask'));
});
console.log('reading');
