// The order of synchronous code, microtasks and timers, as Node runs it.
const log = [];
const say = (s) => { log.push(s); console.log(s); };

say('start');
setTimeout(() => say('timeout 20'), 20);
setTimeout(() => {
  say('timeout 0');
  Promise.resolve().then(() => say('micro in timeout 0'));
  setTimeout(() => say('timeout nested 0'), 0);
}, 0);
setTimeout(() => say('timeout 10'), 10);
Promise.resolve().then(() => say('micro 1')).then(() => say('micro 2'));
queueMicrotask(() => say('queueMicrotask'));
(async () => {
  say('async body');
  await null;
  say('after await');
  await new Promise((r) => setTimeout(r, 15));
  say('after 15ms');
})();
let ticks = 0;
const id = setInterval(() => {
  ticks++;
  say(`interval ${ticks}`);
  if (ticks === 3) clearInterval(id);
}, 6);
const cancelled = setTimeout(() => say('never'), 5);
clearTimeout(cancelled);
say('end of script');
setTimeout(() => console.log('total', log.length), 100);
