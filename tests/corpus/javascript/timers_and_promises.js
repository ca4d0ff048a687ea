// The order of synchronous code, microtasks and timers, as Node runs it. Timers
// that could race are far apart, and nested timers and the interval start only
// when nothing else is pending, so Node's own order does not depend on how busy
// the machine is.
const log = [];
const say = (s) => { log.push(s); console.log(s); };

say('start');
setTimeout(() => say('timeout 60'), 60);
setTimeout(() => {
  say('timeout 0');
  Promise.resolve().then(() => say('micro in timeout 0'));
}, 0);
setTimeout(() => say('timeout 10'), 10);
Promise.resolve().then(() => say('micro 1')).then(() => say('micro 2'));
queueMicrotask(() => say('queueMicrotask'));
(async () => {
  say('async body');
  await null;
  say('after await');
  await new Promise((r) => setTimeout(r, 30));
  say('after 30ms');
})();
const cancelled = setTimeout(() => say('never'), 5);
clearTimeout(cancelled);
say('end of script');

setTimeout(() => {
  setTimeout(() => say('nested 0'), 0);
  let ticks = 0;
  const id = setInterval(() => {
    ticks++;
    say(`interval ${ticks}`);
    if (ticks === 3) {
      clearInterval(id);
      setTimeout(() => console.log('total', log.length), 1);
    }
  }, 6);
}, 200);
