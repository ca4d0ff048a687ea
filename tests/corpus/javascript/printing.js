console.log([1, 2, 3], { a: 1, b: [true, null] }, new Map([['k', 1]]), new Set([1, 'a']));
console.log([], {}, [[]], [{}], new Map(), new Set(), [undefined, null, NaN, -0, 0, Infinity]);
console.log({ 'a-b': 1, valid_id: 2, $d: 3, 42: 'n' }, ['it\'s', 'a\nb', 'q"d', `both'"`]);
console.log(Array.from({ length: 30 }, (_, i) => i * i));
console.log(Array.from({ length: 8 }, (_, i) => 'item' + i));
console.log({ a: { b: { c: { d: { e: 1 } } } } }, [[1, [2, [3, [4, [5]]]]]]);
console.log({ name: 'Ada Lovelace', languages: ['python', 'javascript'], score: 97.5, hired: true, notes: null });
console.log(new Array(120).fill(1));
console.log([function f() {}, () => 1, class A {}, async function g() {}, Symbol('s'), 10n]);
const o = { x: 1 }; o.self = o; console.log(o);
console.log('%s has %d points (%i%%) %j', 'Ada', 97.5, 97.5, { ok: true }, 'extra');
console.log([new Date(0), /ab+c/gi], [1.5, -2.25, 1e21, 1e-7]);
class Point { constructor(x, y) { this.x = x; this.y = y; } }
console.log(new Point(1, 2), [new Point(3, 4)], Object.create(null));
console.log([, 1, , 2], [1, 2, 3].map(String), typeof undefined, String(null));
console.log({ matrix: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], long: 'x'.repeat(60) });
console.log([{ a: 1, b: 2 }, { a: 3, b: 4 }], 'end');
