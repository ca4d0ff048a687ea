// Prints the size of every built chunk (raw and gzip), largest first, and writes
// the same table to dist/bundle-report.txt: the README quotes it.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(import.meta.dirname, '..', 'dist');
const rows = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file);
    else if (/\.(js|css|wasm|zip)$/.test(name)) {
      const bytes = readFileSync(file);
      rows.push({ file: path.relative(dist, file), raw: bytes.length, gzip: gzipSync(bytes).length });
    }
  }
}
walk(dist);
rows.sort((a, b) => b.raw - a.raw);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const lines = ['| file | size | gzip |', '| --- | ---: | ---: |', ...rows.map((r) => `| ${r.file} | ${kib(r.raw)} | ${kib(r.gzip)} |`)];
writeFileSync(path.join(dist, 'bundle-report.txt'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
