// Chained awaits, Promise combinators and async error handling, as interview
// code writes them.
const delay = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms));
const f = (v) => new Promise((resolve) => resolve(v));

async function fetchUser(id) {
  await delay(5);
  if (id < 0) throw new RangeError(`bad id ${id}`);
  return { id, name: `user${id}` };
}

async function main() {
  const a = await f(1);
  console.log(a);
  const [b, c] = await Promise.all([f(2), f(3)]);
  console.log(b, c);
  const users = await Promise.all([1, 2, 3].map(fetchUser));
  console.log(users.map((u) => u.name).join(','));
  const settled = await Promise.allSettled([fetchUser(4), fetchUser(-1), f('plain')]);
  for (const s of settled) {
    console.log(s.status, s.status === 'fulfilled' ? JSON.stringify(s.value) : s.reason.message);
  }
  console.log(await Promise.race([delay(30, 'slow'), delay(10, 'fast')]));
  console.log(await Promise.any([Promise.reject(new Error('no')), delay(5, 'any-yes')]));
  try {
    await Promise.any([Promise.reject(new Error('x')), Promise.reject(new Error('y'))]);
  } catch (e) {
    console.log(e.constructor.name, e.errors.map((x) => x.message).join('+'));
  }
  try {
    await fetchUser(-5);
  } catch (e) {
    console.log('caught', e.name, e.message);
  } finally {
    console.log('finally');
  }
  let total = 0;
  for (let i = 0; i < 100; i++) {
    total += await f(i);
  }
  console.log('sum', total);
  const results = [];
  await Promise.all([3, 1, 2].map(async (n) => {
    await delay(n * 10);
    results.push(n);
  }));
  console.log(results.join(' '));
}

main().then(() => console.log('done'));
console.log('sync end');
