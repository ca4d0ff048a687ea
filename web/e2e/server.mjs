// Starts the real server binary on a free port with a fresh SQLite database and
// the built web app, and resolves once it logs that it is listening.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '..', '..');

export async function startServer({ binary, echo = false }) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'devinterview-e2e-'));
  const child = spawn(binary, [], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      BIND: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      REDIS_URL: '',
      WEB_DIR: path.join(root, 'web', 'dist'),
      RUNTIMES_DIR: path.join(root, 'runtimes'),
      // The compiled sandbox modules the Rust tests already made (same binary build).
      SANDBOX_CACHE_DIR: path.join(root, 'target', 'sandbox-cache'),
      LOG_FORMAT: 'json',
      RUST_LOG: 'warn,devinterview=info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
    lines.on('line', (line) => {
      if (echo) console.log(`[server] ${line}`);
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      const fields = entry.fields ?? entry;
      if ((fields.message ?? entry.message) === 'DevInterview is listening') {
        clearTimeout(timer);
        const addr = fields.addr ?? fields.address ?? fields.url;
        resolve(String(addr).startsWith('http') ? String(addr) : `http://${addr}`);
      }
    });
  });
  return {
    base,
    /** Resolves once the sandbox has compiled its runtimes (it does so in the background). */
    async sandboxReady(timeoutMs = 300_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const health = await (await fetch(`${base}/health`)).json();
        if (health.sandbox === 'ready') return;
        if (health.sandbox !== 'starting') throw new Error(`sandbox is ${health.sandbox}: ${JSON.stringify(health)}`);
        if (Date.now() > until) throw new Error('the sandbox did not finish compiling in time');
        // Compilation reports no event to wait on; /health is the way to ask.
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
