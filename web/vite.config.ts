import { createReadStream, existsSync, statSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);
const pyodideVersion: string = require('pyodide/package.json').version;

/** The files of the `pyodide` package the browser loads at run time. */
export const PYODIDE_FILES = [
  'pyodide.js',
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
];

/**
 * Pyodide fetches its runtime from `indexURL` at run time, so its files are served
 * from our own origin under /pyodide/<version>/ (copied from node_modules at build
 * time, served from there by the dev server) and never from a CDN. The version in
 * the path lets the server mark them immutable.
 */
function selfHostedPyodide(): Plugin {
  const source = path.dirname(require.resolve('pyodide/package.json'));
  const types: Record<string, string> = {
    '.js': 'text/javascript',
    '.mjs': 'text/javascript',
    '.wasm': 'application/wasm',
    '.zip': 'application/zip',
    '.json': 'application/json',
  };
  let outDir = 'dist';
  return {
    name: 'self-hosted-pyodide',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(`/pyodide/${pyodideVersion}`, (req, res, next) => {
        const name = (req.url ?? '').split('?')[0].replace(/^\//, '');
        const file = path.join(source, name);
        if (!PYODIDE_FILES.includes(name) || !existsSync(file)) return next();
        res.setHeader('Content-Type', types[path.extname(name)] ?? 'application/octet-stream');
        res.setHeader('Content-Length', statSync(file).size);
        createReadStream(file).pipe(res);
      });
    },
    async writeBundle() {
      const target = path.join(outDir, 'pyodide', pyodideVersion);
      await mkdir(target, { recursive: true });
      for (const name of PYODIDE_FILES) await copyFile(path.join(source, name), path.join(target, name));
    },
  };
}

const server = process.env.DEVINTERVIEW_SERVER ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), selfHostedPyodide()],
  define: { __PYODIDE_VERSION__: JSON.stringify(pyodideVersion) },
  // Workers are classic scripts so the Python worker can importScripts() Pyodide.
  worker: { format: 'iife' },
  optimizeDeps: { exclude: ['pyodide'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 6000,
    // tldraw fetch()es its translation files; as inlined data: URLs they would
    // need `connect-src data:` in the page's CSP, so they stay files.
    assetsInlineLimit: (file) => (file.endsWith('.json') ? false : undefined),
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': server,
      '/health': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
